"""proxstate.store"""
