"""proxstate.report"""
