"""Database models for customer insights."""
