"""The README's two commands leave each other alone: the tests never touch the demo's .venv."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_test_commands_run_uv_only_through_scripts_uv():
    for script in ("scripts/test", ".ci/run"):
        text = (ROOT / script).read_text()
        assert "bash scripts/uv sync --frozen" in text, script
        # No uv of the system's Python, no pip into it, no `uv` that would pick .venv.
        # (A server's own venv, such as Synapse's, may have pip install into it.)
        outside_venvs = re.sub(r'"?\$\w+_VENV/bin/(?:python"? -m pip|pip) install', "", text)
        assert not re.search(r"python3 -m (uv|pip)|pip install", outside_venvs), script
        assert not re.search(r"(^|[\s;(])uv (sync|run)", text.replace("scripts/uv", "")), script


def test_scripts_uv_uses_its_own_environment_and_installs_uv_beside_the_system():
    text = (ROOT / "scripts/uv").read_text()
    assert 'UV_PROJECT_ENVIRONMENT="${UV_PROJECT_ENVIRONMENT:-.venv-test}"' in text
    assert "python3 -m venv .tools/uv" in text
    assert ".tools/uv/bin/python -m pip install" in text


def test_git_ignores_the_test_environment_and_the_tools():
    for path in (".venv-test/bin/python", ".tools/uv/bin/uv"):
        ignored = subprocess.run(
            ["git", "check-ignore", "--quiet", "--no-index", path], cwd=ROOT, check=False
        )
        assert ignored.returncode == 0, path
