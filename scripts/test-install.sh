#!/usr/bin/env bash
# Installs Trove into a temporary prefix and uses it only from there, as a user would:
# - scripts/install.sh --prefix TMP puts trove.h, libtrove.so.X.Y.Z with its two symlinks
#   and trove.pc in place; readelf -d shows SONAME libtrove.so.0, and the library exports
#   exactly the header's trove_* functions (stripping lost none);
# - the README's C example builds with `cc ... $(pkg-config --cflags --libs trove)`
#   (PKG_CONFIG_PATH=TMP/lib/pkgconfig) plus -Wl,-rpath,TMP/lib and runs with
#   LD_LIBRARY_PATH unset: the rpath is how a program finds a library in a prefix the
#   dynamic linker does not search (in /usr/local/lib, ldconfig's cache does that);
# - `pip wheel bindings/python` bundles that installed library; the wheel installs with
#   --no-index into a fresh virtual environment, and a put/get runs there with a clean
#   environment (no TROVE_LIBRARY, no LD_LIBRARY_PATH, no Swift toolchain on PATH) from
#   outside the source tree, loading the copy of libtrove.so inside the wheel and no other.
# Usage: scripts/test-install.sh [--scratch-path DIR] [--no-build]   (passed on to scripts/install.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
step() { echo "[trove] $*" >&2; }
fail() { echo "[trove] test-install: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

step "install into a temporary prefix ($prefix)"
"$root/scripts/install.sh" --prefix "$prefix" "$@"
version=$(for part in MAJOR MINOR PATCH; do
    sed -n "s/^#define TROVE_VERSION_$part \([0-9][0-9]*\)\$/\1/p" "$root/include/trove.h"
done | paste -sd.)
major=${version%%.*}
lib="$prefix/lib"
test -f "$prefix/include/trove.h" || fail "no $prefix/include/trove.h"
test -f "$lib/libtrove.so.$version" && ! test -L "$lib/libtrove.so.$version" ||
    fail "no file $lib/libtrove.so.$version"
test "$(readlink "$lib/libtrove.so.$major")" = "libtrove.so.$version" || fail "libtrove.so.$major is not a link to libtrove.so.$version"
test "$(readlink "$lib/libtrove.so")" = "libtrove.so.$major" || fail "libtrove.so is not a link to libtrove.so.$major"
grep -q "(SONAME) *Library soname: \[libtrove.so.$major\]" <<<"$(readelf -d "$lib/libtrove.so.$version")" ||
    fail "readelf -d shows no SONAME libtrove.so.$major"
exported=$(nm -D --defined-only --extern-only "$lib/libtrove.so.$version" | awk '{print $3}' | sort -u)
declared=$(grep -o '\btrove_[a-z_0-9]*(' "$prefix/include/trove.h" | tr -d '(' | sort -u)
test "$exported" = "$declared" || fail "exported symbols differ from trove.h's functions:
$(diff <(echo "$declared") <(echo "$exported"))"
step "  SONAME libtrove.so.$major, $(wc -l <<<"$exported") trove_* functions exported, $(stat -c %s "$lib/libtrove.so.$version") bytes"

step "README C example, built with pkg-config against the prefix, run with its rpath only"
export PKG_CONFIG_PATH="$lib/pkgconfig"
test "$(pkg-config --modversion trove)" = "$version" || fail "pkg-config --modversion trove is not $version"
test "$(pkg-config --variable=prefix trove)" = "$prefix" || fail "pkg-config found another trove.pc"
awk '/^```c$/{on=1; next} /^```$/{on=0} on' "$root/README.md" >"$work/example.c"
test -s "$work/example.c" || fail "no C example found in README.md"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
cc -std=c11 -Wall -Wextra -Werror -o "$work/example" "$work/example.c" \
    $(pkg-config --cflags --libs trove) -Wl,-rpath,"$(pkg-config --variable=libdir trove)"
grep -q "(NEEDED) *Shared library: \[libtrove.so.$major\]" <<<"$(readelf -d "$work/example")" ||
    fail "the example does not need libtrove.so.$major"
grep -q "libtrove.so.$major => $lib/libtrove.so.$major " <<<"$(env -u LD_LIBRARY_PATH ldd "$work/example")" ||
    fail "the example does not load libtrove.so.$major from $lib: $(ldd "$work/example")"
output=$(cd "$work" && env -u LD_LIBRARY_PATH ./example)
# The README example's output: a put read back, a value loaded through trove_get_or_load,
# then the count a tag's invalidation removed.
expected=$(printf 'user:42 = Ada Lovelace\nuser:7 = row for user:7\ninvalidated 1 entries tagged user:7')
test "$output" = "$expected" || fail "the example printed: $output"
step "  $(tr '\n' ';' <<<"$output")"

step "Python wheel bundling the installed library, in a fresh virtual environment"
# A copy of the package's folder, so the build leaves nothing in the source tree (build/,
# *.egg-info) and cannot meet another build of the same tree.
mkdir "$work/python"
tar -C "$root/bindings/python" --exclude=build --exclude='*.egg-info' --exclude=__pycache__ -cf - . |
    tar -C "$work/python" -xf -
TROVE_LIBRARY="$lib/libtrove.so" python3 -m pip wheel -q --no-deps -w "$work/wheels" "$work/python"
wheels=("$work/wheels"/trove-*.whl)
test ${#wheels[@]} = 1 && test -f "${wheels[0]}" || fail "pip wheel made no single trove wheel"
wheel=${wheels[0]}
case "$(basename "$wheel")" in
    *-linux_x86_64.whl | *-linux_aarch64.whl) ;;
    *) fail "$(basename "$wheel") is not tagged for this platform" ;;
esac
python3 - "$wheel" "$lib/libtrove.so.$version" <<'EOF'
import sys, zipfile
wheel, library = sys.argv[1:]
names = zipfile.ZipFile(wheel).namelist()
assert "trove/libtrove.so" in names, f"{wheel} has no trove/libtrove.so"
assert any(n.startswith("trove/_speedups.") and n.endswith(".so") for n in names), f"{wheel} has no trove._speedups"
with zipfile.ZipFile(wheel).open("trove/libtrove.so") as bundled, open(library, "rb") as installed:
    assert bundled.read() == installed.read(), "the wheel's libtrove.so is not the installed one"
EOF
venv="$work/wheel-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --no-index --no-deps "$wheel"
# env -i: no TROVE_LIBRARY, LD_LIBRARY_PATH or PYTHONPATH; PATH without the Swift toolchain.
(cd "$work" && env -i HOME="$work" PATH=/usr/bin:/bin "$venv/bin/python" - "$version" <<'EOF'
import os, shutil, sys
from pathlib import Path
import trove
from trove import _calls, _loader

assert shutil.which("swift") is None, "swift is on PATH"
assert "TROVE_LIBRARY" not in os.environ and "LD_LIBRARY_PATH" not in os.environ
package = Path(trove.__file__).resolve().parent
assert package.is_relative_to(Path(sys.prefix).resolve()), f"trove imported from {package}, not the venv"
assert _loader.candidates() == [package / "libtrove.so"], _loader.candidates()
with trove.Cache(capacity_bytes=16 << 20) as cache:
    cache.put("user:42", b"Ada Lovelace", ttl=60)
    assert cache.get("user:42") == b"Ada Lovelace"
library = trove.load_library()
assert library.path == package / "libtrove.so", library.path
assert ".".join(map(str, library.version)) == sys.argv[1], library.version
assert _calls.SPEEDUPS, "trove._speedups did not load from the wheel"
maps = Path("/proc/self/maps").read_text()
assert "libswift" not in maps, "a Swift runtime library is loaded"
loaded = {line.split()[-1] for line in maps.splitlines() if "libtrove" in line}
assert loaded == {str(package / "libtrove.so")}, loaded
print(f"[trove]   put/get through {library.path} (libtrove {sys.argv[1]}, C hot calls)", file=sys.stderr)
EOF
)
step "install checks passed"
