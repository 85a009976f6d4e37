"""Shared Slack plumbing: clients, installations, command routing, text escaping, errors."""
