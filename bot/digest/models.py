"""Database models for weekly digest."""
