"""The built-in demo cluster: fakepve on a loopback address, populated like a small production site.

Needs the `demo` extra (`pip install 'proxstate[demo]'`), which brings fakepve.
"""
