"""The fault and bad-input campaign (`nox -s faults`; the same cases run in tests/test_faults.py)."""
