from tests.scheduling.fixtures import clock, services

__all__ = ["clock", "services"]
