"""The API's contract is a file in the repository (docs/api/openapi.yaml), so every change of
it shows in review (issue 15; README "API policy"). This regenerates the schema as
/api/schema/ serves it and fails on any difference, with the command that rewrites the file."""

import difflib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "api" / "openapi.yaml"
SCRIPT = ROOT / "scripts" / "openapi_schema.sh"


def test_committed_schema_is_the_generated_schema(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # The script, not an in-process generation: the schema's integer ranges come from the
    # database backend, and the committed file is PostgreSQL's whatever this run uses.
    env = {**os.environ, "INNOPORTAL_VENV": str(Path(sys.executable).parent.parent)}
    result = subprocess.run(["sh", str(SCRIPT), str(generated)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    new, old = generated.read_text(), COMMITTED.read_text()
    if new != old:
        diff = "".join(list(difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), "docs/api/openapi.yaml (committed)",
            "generated"))[:80])
        raise AssertionError(
            "The API schema changed. If the change is intended (and allowed within /api/v1/, "
            "see README 'API policy'), regenerate the file and commit it:\n"
            "    scripts/openapi_schema.sh\n\n" + diff)
