"""Bundled JSON Schemas, shipped inside the wheel as package data."""

from importlib.resources import files


def bundled(name: str = "cms-export.schema.json") -> str:
    """Filesystem path of a bundled schema."""
    return str(files(__name__) / name)
