"""cnn-report: a literate, reproducible report generator for image-classification studies."""

__version__ = "0.1.0"
