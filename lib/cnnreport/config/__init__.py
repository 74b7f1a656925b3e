"""Params: typed YAML profiles (`typed_yaml`) and the sections every study shares (`sections`)."""
