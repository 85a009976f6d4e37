"""Joint stand-ups."""
