"""Models for the delivery layer (outbox)."""
