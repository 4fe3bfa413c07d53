"""Figures, tables, HTML and Excel output (the only package that imports matplotlib)."""
