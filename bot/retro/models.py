"""Database models for retros."""
