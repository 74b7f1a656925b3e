"""Tools around a built report: the in-class demo, the submission package, the benchmark."""
