"""Plain functions and constants shared by the tests (fixtures live in the conftest files).

Tests import from here, never from a conftest file or another test module: a conftest is loaded by
pytest under a name of its choosing, and a second import of it would run its code twice.
"""
