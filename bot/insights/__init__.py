"""Customer insights."""
