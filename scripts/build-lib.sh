#!/usr/bin/env bash
# Builds the shipped C library: a release libtrove.so with the Swift runtime linked in
# statically (it loads on a machine without the Swift toolchain) that exports only the
# trove_* functions. Installs missing Debian packages first.
#
# The linker output (SCRATCH/release/libtrove.so, with its debug information) is staged
# in SCRATCH/lib the way it installs (scripts/install.sh copies from there):
#   libtrove.so.X.Y.Z                 stripped (strip --strip-unneeded), SONAME libtrove.so.X
#   libtrove.so.X -> libtrove.so.X.Y.Z   what programs load (their DT_NEEDED is the soname)
#   libtrove.so   -> libtrove.so.X       what `-ltrove` finds at link time
# X.Y.Z is TROVE_VERSION_MAJOR/MINOR/PATCH from include/trove.h. Prints the path of
# SCRATCH/lib/libtrove.so on stdout.
# Usage: scripts/build-lib.sh [--scratch-path DIR]   (default DIR: .build-lib)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch="$root/.build-lib"
while [ $# -gt 0 ]; do
    case "$1" in
        --scratch-path) scratch=$(realpath -m "${2:?--scratch-path needs a directory}"); shift 2 ;;
        --scratch-path=*) scratch=$(realpath -m "${1#*=}"); shift ;;
        -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "[trove] build-lib.sh: unknown argument $1 (usage: scripts/build-lib.sh [--scratch-path DIR])" >&2; exit 2 ;;
    esac
done
"$root/scripts/ensure-deps.sh"

version_part() {
    sed -n "s/^#define TROVE_VERSION_$1 \([0-9][0-9]*\)\$/\1/p" "$root/include/trove.h"
}
major=$(version_part MAJOR) minor=$(version_part MINOR) patch=$(version_part PATCH)
if [ -z "$major" ] || [ -z "$minor" ] || [ -z "$patch" ]; then
    echo "[trove] no TROVE_VERSION_MAJOR/MINOR/PATCH in include/trove.h" >&2
    exit 1
fi
soname="libtrove.so.$major"
versioned="libtrove.so.$major.$minor.$patch"

# SwiftPM already links with --gc-sections (its default --enable-dead-strip), and the
# static runtime is built with one section per function, so unused runtime code is gone;
# --disable-local-rpath drops the RUNPATH $ORIGIN an installed library has no use for.
echo "[trove] building $versioned (release, static Swift runtime)" >&2
swift build --package-path "$root" --scratch-path "$scratch" -c release --product trove \
    --disable-local-rpath -Xswiftc -static-stdlib \
    -Xlinker "--version-script=$root/scripts/libtrove.map" -Xlinker -soname -Xlinker "$soname" >&2
built="$scratch/release/libtrove.so"

# Stage: the symbol table and debug sections go (about 40% of the file); the dynamic
# symbols (the exported trove_* functions) stay, which the checks below confirm.
libdir="$scratch/lib"
mkdir -p "$libdir"
# Each name is replaced by a rename, so a program loading from here meanwhile sees the old
# file or the new one, never a missing or half-written one.
strip --strip-unneeded -o "$libdir/.$versioned.tmp" "$built"
mv -f "$libdir/.$versioned.tmp" "$libdir/$versioned"
ln -sfn "$versioned" "$libdir/.$soname.tmp" && mv -Tf "$libdir/.$soname.tmp" "$libdir/$soname"
ln -sfn "$soname" "$libdir/.libtrove.so.tmp" && mv -Tf "$libdir/.libtrove.so.tmp" "$libdir/libtrove.so"
find "$libdir" -maxdepth 1 -name 'libtrove.so.*' ! -name "$versioned" ! -name "$soname" -delete
library="$libdir/libtrove.so"
echo "[trove] $libdir/$versioned: $(stat -c %s "$libdir/$versioned") bytes" \
    "(unstripped $(stat -c %s "$built") bytes)" >&2

if ! grep -q "(SONAME).*\[$soname\]" <<<"$(readelf -d "$library")"; then
    echo "[trove] $versioned does not have SONAME $soname:" >&2
    readelf -d "$library" >&2
    exit 1
fi
exported=$(nm -D --defined-only --extern-only "$library" | awk '{print $3}')
if [ -n "$(grep -v '^trove_' <<<"$exported")" ]; then
    echo "[trove] libtrove.so exports symbols other than trove_*:" >&2
    grep -v '^trove_' <<<"$exported" >&2
    exit 1
fi
declared=$(grep -o '\btrove_[a-z_0-9]*(' "$root/include/trove.h" | tr -d '(' | sort -u)
missing=$(comm -23 <(echo "$declared") <(sort -u <<<"$exported"))
if [ -n "$missing" ]; then
    echo "[trove] libtrove.so lacks functions that include/trove.h declares:" >&2
    echo "$missing" >&2
    exit 1
fi
if grep -q 'libswift' <<<"$(ldd "$library")"; then
    echo "[trove] libtrove.so still needs the Swift runtime:" >&2
    ldd "$library" >&2
    exit 1
fi
echo "$library"
