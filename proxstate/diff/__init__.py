"""proxstate.diff"""
