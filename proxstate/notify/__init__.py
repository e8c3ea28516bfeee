"""Notifications of committed changes, drift and failed syncs, through Apprise and exec hooks.

Apprise is imported here only (in `deliver.py`, when something is sent): a command that sends
nothing does not load it. docs/notifications.md is the user's guide.
"""
