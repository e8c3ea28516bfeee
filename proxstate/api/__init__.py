"""The PVE API client: settings, TLS trust, authentication, retries, errors and typed calls.

Import from the modules (`proxstate.api.client`, `proxstate.api.settings`): this package does not
import httpx on its own, so that commands which never talk to PVE start quickly.
"""
