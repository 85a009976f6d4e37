"""Weekly digest."""
