"""How libtrove.so is found: an explicit path, $TROVE_LIBRARY, the package, the build folder; clear ImportErrors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import trove
from trove import _loader

from .conftest import PROJECT_ROOT


def run(program: str, **environment: str | None) -> subprocess.CompletedProcess[str]:
    """Runs ``program`` in a new interpreter (the library loads once per process)."""
    env = {key: value for key, value in {**os.environ, **environment}.items() if value is not None}
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=60)


def loaded_path() -> Path:
    return trove.load_library().path


def test_the_default_search_is_the_package_then_the_build_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TROVE_LIBRARY", raising=False)
    package, *build = _loader.candidates()
    assert package == Path(trove.__file__).resolve().parent / "libtrove.so"
    if Path(trove.__file__).resolve().parents[1].name == "src":  # run from the checkout
        assert build == [PROJECT_ROOT / ".build-lib" / "release" / "libtrove.so"]
    else:  # installed: there is no project folder to look in
        assert build == []


def test_an_explicit_path_comes_first_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TROVE_LIBRARY", "/from/environment/libtrove.so")
    assert _loader.candidates() == [Path("/from/environment/libtrove.so")]
    assert _loader.candidates("/explicit/libtrove.so") == [Path("/explicit/libtrove.so")]


def test_the_library_reports_its_version() -> None:
    library = trove.load_library()
    assert library.version[:2] == (0, 1)
    assert trove.expected_version() == "0.1.0"
    assert trove.load_library() is library
    assert trove.load_library(library.path) is library


def test_a_second_different_library_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportError, match="already loaded"):
        trove.load_library(tmp_path / "libtrove.so")


def test_an_explicit_path_loads_that_library(tmp_path: Path) -> None:
    copy = tmp_path / "libtrove.so"
    shutil.copyfile(loaded_path(), copy)
    result = run(
        f"import trove; print(trove.load_library({str(copy)!r}).path); print(trove.Cache().get('k'))",
        TROVE_LIBRARY="/nowhere/libtrove.so",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(copy), "None"]


def test_trove_library_names_the_library(tmp_path: Path) -> None:
    copy = tmp_path / "libtrove.so"
    shutil.copyfile(loaded_path(), copy)
    result = run("import trove; trove.Cache(); print(trove.load_library().path)", TROVE_LIBRARY=str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(copy)


def test_a_missing_library_is_an_import_error_naming_the_search_and_version() -> None:
    result = run(
        "import trove\n"
        "try:\n"
        "    trove.Cache()\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__); print(error)\n",
        TROVE_LIBRARY="/nowhere/libtrove.so",
    )
    assert result.returncode == 0, result.stderr
    assert "LibraryNotFoundError" in result.stdout
    assert "/nowhere/libtrove.so" in result.stdout and "0.1.0" in result.stdout
    assert "TROVE_LIBRARY" in result.stdout


def test_a_file_that_is_not_a_library_is_an_import_error(tmp_path: Path) -> None:
    fake = tmp_path / "libtrove.so"
    fake.write_text("not an ELF file")
    with pytest.raises(ImportError, match="could not be loaded"):
        _loader._open(fake)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to build a stand-in library")
@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("unsigned trove_version(void) { return 2u << 16; }", "2.0.0; this binding needs 0.1.x"),
        ("unsigned trove_version(void) { return 1u << 8; }", "undefined symbol: trove_options_init"),
    ],
)
def test_an_incompatible_library_is_an_import_error(tmp_path: Path, source: str, words: str) -> None:
    (tmp_path / "stand_in.c").write_text(source)
    library = tmp_path / "libtrove.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", library, tmp_path / "stand_in.c"], check=True)
    with pytest.raises(ImportError, match=words.replace(".", r"\.")) as raised:
        _loader._open(library)
    assert "0.1.0" in str(raised.value) or "0.1.x" in str(raised.value)
