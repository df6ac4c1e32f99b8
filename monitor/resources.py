"""Where bundled files live, whether installed as a wheel or run from a checkout.

A wheel carries ``models/``, ``reports/`` and ``feeds.yaml`` under
``monitor/_bundled``; a checkout (or an editable install) has them at the top of the
repository. Everything else asks this module instead of guessing paths.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_bundled"
_REPO_ROOT = PACKAGE_DIR.parent


def _locate(name: str) -> Path:
    bundled = _BUNDLED / name
    if bundled.exists():
        return bundled
    return _REPO_ROOT / name


def models_dir() -> Path:
    return _locate("models")


def reports_dir() -> Path:
    return _locate("reports")


def default_feeds_file() -> Path:
    return _locate("feeds.yaml")


def package_data(*parts: str) -> Path:
    return PACKAGE_DIR.joinpath(*parts)
