"""Clientela's data generator and benchmarks: `clientela bench …` in a source checkout."""
