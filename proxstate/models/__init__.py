"""proxstate.models"""
