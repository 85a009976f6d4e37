"""Summaries of what people wrote: an optional OpenAI-compatible model, else a local extractive one."""
