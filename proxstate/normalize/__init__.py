"""proxstate.normalize"""
