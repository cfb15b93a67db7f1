"""Fixtures shared by every test folder."""

# a real, throwaway PostgreSQL server (session) and a database of its own per test
from reform_pipeline_tests.postgres import postgres_database, postgres_server  # noqa: F401
