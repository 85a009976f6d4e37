"""Tandem: the rituals that keep a product team and a marketing team in step, run in Slack."""

__version__ = "0.1.0"
