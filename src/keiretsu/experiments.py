"""The named studies (simulate, compare, drill, payback, optimize, frontier).

The CLI and the notebooks both call these; each returns plain results (frames and
dataclasses) and leaves writing files to the caller.
"""
