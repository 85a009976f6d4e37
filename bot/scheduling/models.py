"""Models for the scheduling engine."""
