"""The lock files (scripts/lock.sh) agree with pyproject.toml, pin everything with hashes, and
the SBOM lists what the runtime lock installs. Fails when someone changes a pin and forgets
to re-lock: run scripts/lock.sh."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RELOCK = "pyproject.toml and the lock disagree: run scripts/lock.sh"


def pyproject_pins(*extras: str) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    pins = {}
    for line in lines:
        requirement = Requirement(line)
        (spec,) = requirement.specifier  # every dependency is pinned exactly (==)
        assert spec.operator == "==", f"{line}: pin an exact version"
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def lock(name: str) -> dict[str, dict]:
    """{package: {"version", "hashes", "marker"}} of a lock file."""
    text = (ROOT / "requirements" / name).read_text()
    entries = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.split("\n", 1)[0].rstrip(" \\")
        if not first or first.startswith("#"):
            continue
        requirement = Requirement(first)
        (spec,) = requirement.specifier
        entries[canonicalize_name(requirement.name)] = {
            "version": spec.version,
            "hashes": re.findall(r"--hash=sha256:([0-9a-f]{64})", block),
            "marker": requirement.marker,
        }
    return entries


def test_every_pin_of_pyproject_is_locked_at_the_same_version():
    for lock_name, extras in (("base.txt", ()), ("dev.txt", ("dev",))):
        locked = lock(lock_name)
        wrong = {name: (version, locked.get(name, {}).get("version"))
                 for name, version in pyproject_pins(*extras).items()
                 if locked.get(name, {}).get("version") != version}
        assert not wrong, f"{RELOCK} ({lock_name}: pyproject vs lock {wrong})"


def test_the_runtime_lock_holds_nothing_of_the_dev_extra():
    dev_only = set(pyproject_pins("dev")) - set(pyproject_pins())
    assert not dev_only & set(lock("base.txt")), RELOCK


def test_every_locked_package_has_hashes_and_the_dev_lock_agrees_with_the_runtime_lock():
    base, dev = lock("base.txt"), lock("dev.txt")
    assert len(base) > len(pyproject_pins())  # transitive dependencies are locked too
    for name, entry in {**base, **dev}.items():
        assert entry["hashes"], f"{name} has no hash in the lock"
    differ = {n: (e["version"], dev[n]["version"]) for n, e in base.items()
              if n in dev and dev[n]["version"] != e["version"]}
    assert not differ, f"{RELOCK} (base.txt and dev.txt pin different versions: {differ})"


def test_the_sbom_lists_what_the_runtime_lock_installs():
    sbom = json.loads((ROOT / "sbom.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    root = sbom["metadata"]["component"]
    assert (root["name"], root["version"]) == (project["name"], project["version"]), RELOCK
    components = {canonicalize_name(c["name"]): c["version"] for c in sbom["components"]}
    locked = lock("base.txt")
    # Packages the lock installs only elsewhere (a marker that is false here) may be absent.
    expected = {name: entry["version"] for name, entry in locked.items()
                if entry["marker"] is None or entry["marker"].evaluate()}
    assert components == expected, RELOCK
