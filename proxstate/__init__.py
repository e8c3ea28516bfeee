"""proxstate: record the state of Proxmox VE clusters in Git."""

from importlib import metadata

try:
    __version__ = metadata.version("proxstate")
except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

__all__ = ["__version__"]
