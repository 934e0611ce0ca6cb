"""Test helpers shared by the test suites (no network beyond 127.0.0.1)."""
