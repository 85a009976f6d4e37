"""The hardening tests' marker: ``slow`` (tens of seconds; CI can run them as their own job with
``-m slow`` or leave them to the nightly run with ``-m "not slow"``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a long end-to-end test (real processes, tens of seconds)")
