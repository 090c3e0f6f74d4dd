"""Benchmarks, run by hand (not by the test suite): see docs/benchmarks.md."""
