"""proxstate.cli"""
