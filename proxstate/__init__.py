"""proxstate: record the state of Proxmox VE clusters in Git."""

# The one place the version is written (pyproject.toml reads it from here): reading it from the
# installed metadata instead cost every command 30 ms of importing importlib.metadata.
__version__ = "0.1.0"

__all__ = ["__version__"]
