"""The book: chapter helpers and figures for notebooks, the build, the Quarto files, rendering."""
