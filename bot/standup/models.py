"""Database models for joint stand-ups."""
