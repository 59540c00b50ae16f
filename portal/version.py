"""The release this code is: the `version` in pyproject.toml, read once.

The project is deployed as a source tree (the Dockerfile copies it; pip installs only the
dependencies), so pyproject.toml is the one place the number is written."""

import functools
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@functools.cache
def app_version() -> str:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
