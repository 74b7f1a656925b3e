"""Analysis: loading saved models, evaluating them, embeddings, and tables about data and runs."""
