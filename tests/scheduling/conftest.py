from tests.scheduling.fixtures import clock, database_url, services

__all__ = ["clock", "database_url", "services"]
