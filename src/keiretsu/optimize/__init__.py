"""The optimization models (the only package that imports pulp)."""
