"""Benchmark scripts: commands that print figures against a generated dataset. Not run by CI or pytest."""
