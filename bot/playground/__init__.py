"""`tandem playground`: a local Slack-like page to try every Tandem ritual without a Slack workspace."""
