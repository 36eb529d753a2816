"""The test suite: `python -m pytest` from the repository root (a package, so `from tests.conftest import ...` works)."""
