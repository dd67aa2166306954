"""Build hooks for the trove package; the metadata is in pyproject.toml.

Two things pyproject.toml cannot say:
- copy a built libtrove.so into the package, so an installed package finds its
  library in its own directory (``$TROVE_LIBRARY`` at build time, else the project's
  ``.build-lib/lib/libtrove.so`` from ``scripts/build-lib.sh``, else the unstripped
  ``.build-lib/release/libtrove.so``), and tag the wheel for this platform, since that
  library is machine code even when the extension below is not built;
- compile ``trove._speedups``, the C version of the hot calls, when a C compiler and
  Python's headers are present. It is optional: without them the package installs
  with the ctypes calls only.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from setuptools import Distribution, Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
LIBRARY_NAME = "libtrove.so"


def built_library() -> Path | None:
    """The libtrove.so to bundle: ``$TROVE_LIBRARY``, else the project's release build, if it exists."""
    if named := os.environ.get("TROVE_LIBRARY"):
        candidates = [Path(named)]
    else:
        build = HERE.parents[1] / ".build-lib"
        candidates = [build / "lib" / LIBRARY_NAME, build / "release" / LIBRARY_NAME]
    return next((candidate for candidate in candidates if candidate.is_file()), None)


class BuildPyWithLibrary(build_py):
    """build_py that also copies libtrove.so into the package (or drops a stale copy)."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "trove" / LIBRARY_NAME
        library = built_library()
        if library is None:
            target.unlink(missing_ok=True)
            self.announce(
                f"warning: no {LIBRARY_NAME} to bundle (run scripts/build-lib.sh first, or set "
                "TROVE_LIBRARY); the installed package will need TROVE_LIBRARY at run time",
                level=3,
            )
            return
        self.announce(f"bundling {library}", level=2)
        shutil.copyfile(library, target)  # follows the libtrove.so -> libtrove.so.X symlinks


class BinaryDistribution(Distribution):
    """A distribution with machine code in it (the bundled libtrove.so): never a ``py3-none-any`` wheel."""

    def has_ext_modules(self) -> bool:
        return True


setup(
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibrary},
    ext_modules=[Extension("trove._speedups", ["src/trove/_speedups.c"], optional=True)],
)
