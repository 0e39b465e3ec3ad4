"""Bundled JSON Schemas, shipped inside the wheel as package data."""

import os

# Beside this file, as the bundled profiles are beside feedlint/profile.py: feedlint is
# installed as files, and importlib.resources (with zipfile) would cost every run ~8
# million instructions just to name this directory.
_HERE = os.path.dirname(os.path.abspath(__file__))


def bundled(name: str = "cms-export.schema.json") -> str:
    """Filesystem path of a bundled schema."""
    return os.path.join(_HERE, name)
