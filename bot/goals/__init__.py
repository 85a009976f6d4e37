"""Shared goals: one yardstick for product and marketing, checked in where they already talk."""
