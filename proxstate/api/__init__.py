"""proxstate.api"""
