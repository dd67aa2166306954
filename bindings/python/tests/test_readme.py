"""The READMEs' Python examples run, and the binding's README shows example.py as it is."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT

BINDING = PROJECT_ROOT / "bindings" / "python"
READMES = [PROJECT_ROOT / "README.md", BINDING / "README.md"]


def python_blocks(readme: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", readme.read_text(), flags=re.DOTALL | re.MULTILINE)


@pytest.mark.skipif(not BINDING.is_dir(), reason="needs the project's source tree")
def test_the_binding_readme_shows_example_py() -> None:
    example = (BINDING / "example.py").read_text()
    body = example.split('"""', 2)[2].lstrip("\n")
    assert body in python_blocks(BINDING / "README.md")


@pytest.mark.skipif(not BINDING.is_dir(), reason="needs the project's source tree")
@pytest.mark.parametrize("readme", READMES, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_python_examples_run(readme: Path, tmp_path: Path) -> None:
    blocks = python_blocks(readme)
    assert blocks, f"no Python example in {readme}"
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout


@pytest.mark.skipif(not BINDING.is_dir(), reason="needs the project's source tree")
def test_example_py_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BINDING / "example.py")], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "user:42 = Ada Lovelace" in result.stdout
