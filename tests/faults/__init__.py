"""Tests that run the real server in processes and break things on purpose."""
