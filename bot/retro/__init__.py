"""Retros."""
