"""Training: the engine, metrics, and runs (made once, cached by config, data and code)."""
