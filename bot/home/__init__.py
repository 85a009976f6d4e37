"""App Home: a personal dashboard."""
