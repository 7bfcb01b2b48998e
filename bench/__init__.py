"""Benchmarks and the deterministic data generator; results go to bench/RESULTS.md."""
