"""`clientela bench`: generate data, run the benchmarks, compare sizes."""
