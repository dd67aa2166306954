#!/usr/bin/env bash
# Builds the shipped C library: a release libtrove.so with the Swift runtime linked in
# statically (it loads on a machine without the Swift toolchain) that exports only the
# trove_* functions. Installs missing Debian packages first. Prints the library's path on stdout.
# Usage: scripts/build-lib.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ensure-deps.sh"
scratch="$root/.build-lib"
echo "[trove] building libtrove.so (release, static Swift runtime)" >&2
swift build --package-path "$root" --scratch-path "$scratch" -c release --product trove \
    -Xswiftc -static-stdlib -Xlinker "--version-script=$root/scripts/libtrove.map" >&2
library="$scratch/release/libtrove.so"
if nm -D --defined-only --extern-only "$library" | awk '{print $3}' | grep -v '^trove_' | grep -q .; then
    echo "[trove] libtrove.so exports symbols other than trove_*:" >&2
    nm -D --defined-only --extern-only "$library" | awk '{print $3}' | grep -v '^trove_' >&2
    exit 1
fi
if ldd "$library" | grep -q 'libswift'; then
    echo "[trove] libtrove.so still needs the Swift runtime:" >&2
    ldd "$library" >&2
    exit 1
fi
echo "$library"
