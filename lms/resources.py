"""Where the shipped folders are: inside the package in a wheel, beside it in a checkout."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE_DIR = Path(str(files("lms")))


def shipped_dir(name: str) -> Path:
    """templates, courses or assessments: the wheel's copy under lms/, else the repo's."""
    inside = _PACKAGE_DIR / name
    return inside if inside.is_dir() else _PACKAGE_DIR.parent / name


def content_dir(name: str, configured: str = "") -> Path:
    """A content folder: the configured one (paths.courses, paths.assessments), else the shipped one."""
    return Path(configured) if configured else shipped_dir(name)
