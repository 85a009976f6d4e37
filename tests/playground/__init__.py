"""Tests of the playground (a local Slack-like page)."""
