#!/usr/bin/env bash
# Builds libtrove (scripts/build-lib.sh) and installs it like a C library:
#   PREFIX/include/trove.h
#   LIBDIR/libtrove.so.X.Y.Z, LIBDIR/libtrove.so.X -> libtrove.so.X.Y.Z, LIBDIR/libtrove.so -> libtrove.so.X
#   LIBDIR/pkgconfig/trove.pc      (from packaging/trove.pc.in)
# LIBDIR is PREFIX/lib unless --libdir says otherwise (e.g. PREFIX/lib/x86_64-linux-gnu).
# $DESTDIR, if set, is put in front of every path written (for staging a package); the
# paths inside trove.pc stay PREFIX's. Installing into a directory the dynamic linker
# searches (listed in /etc/ld.so.conf*, or /usr/lib), as root and without DESTDIR, runs ldconfig.
# --no-build installs what scripts/build-lib.sh last staged in SCRATCH/lib instead of
# building first (for `scripts/build-lib.sh && sudo scripts/install.sh --no-build`, since
# sudo's PATH has no swift and root should not write the build folder).
# Usage: scripts/install.sh [--prefix DIR] [--libdir DIR] [--scratch-path DIR] [--no-build]
#        (defaults: /usr/local, PREFIX/lib, build-lib.sh's .build-lib)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: scripts/install.sh [--prefix DIR] [--libdir DIR] [--scratch-path DIR] [--no-build]"
prefix=/usr/local
libdir=
scratch="$root/.build-lib"
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
        --prefix=*) prefix=${1#*=}; shift ;;
        --libdir) libdir=${2:?--libdir needs a directory}; shift 2 ;;
        --libdir=*) libdir=${1#*=}; shift ;;
        --scratch-path) scratch=$(realpath -m "${2:?--scratch-path needs a directory}"); shift 2 ;;
        --scratch-path=*) scratch=$(realpath -m "${1#*=}"); shift ;;
        --no-build) build=0; shift ;;
        -h | --help) echo "$usage"; exit 0 ;;
        *) echo "[trove] install.sh: unknown argument $1 ($usage)" >&2; exit 2 ;;
    esac
done
case "$prefix" in
    /*) ;;
    *) prefix=$(realpath -m "$prefix") ;;
esac
prefix=${prefix%/}
libdir=${libdir:-$prefix/lib}
case "$libdir" in
    /*) ;;
    *) libdir=$(realpath -m "$libdir") ;;
esac
includedir=$prefix/include
destdir=${DESTDIR:-}

if [ "$build" = 1 ]; then
    library=$("$root/scripts/build-lib.sh" --scratch-path "$scratch")
else
    library="$scratch/lib/libtrove.so"
    test -L "$library" || { echo "[trove] no $library: run scripts/build-lib.sh first" >&2; exit 1; }
fi
staged=$(dirname "$library")
soname=$(readlink "$library")          # libtrove.so.X
versioned=$(readlink "$staged/$soname") # libtrove.so.X.Y.Z
version=${versioned#libtrove.so.}

echo "[trove] installing libtrove $version into $destdir$prefix" >&2
install -d "$destdir$includedir" "$destdir$libdir/pkgconfig"
install -m 0644 "$root/include/trove.h" "$destdir$includedir/trove.h"
install -m 0755 "$staged/$versioned" "$destdir$libdir/$versioned"
ln -sfn "$versioned" "$destdir$libdir/$soname"
ln -sfn "$soname" "$destdir$libdir/libtrove.so"

# Paths under PREFIX are written relative to ${prefix}, so pkg-config --define-prefix works.
relative() { case "$1" in "$prefix"/*) echo "\${prefix}${1#"$prefix"}" ;; *) echo "$1" ;; esac; }
pc_libdir=$(relative "$libdir")
pc_libdir=${pc_libdir/#\$\{prefix\}/\$\{exec_prefix\}}
pc_includedir=$(relative "$includedir")
sed -e "s|@PREFIX@|$prefix|g" -e "s|@LIBDIR@|$pc_libdir|g" \
    -e "s|@INCLUDEDIR@|$pc_includedir|g" -e "s|@VERSION@|$version|g" \
    "$root/packaging/trove.pc.in" >"$destdir$libdir/pkgconfig/trove.pc.tmp"
mv "$destdir$libdir/pkgconfig/trove.pc.tmp" "$destdir$libdir/pkgconfig/trove.pc"
chmod 0644 "$destdir$libdir/pkgconfig/trove.pc"

for path in "$includedir/trove.h" "$libdir/$versioned" "$libdir/$soname" "$libdir/libtrove.so" \
    "$libdir/pkgconfig/trove.pc"; do
    echo "[trove]   $destdir$path" >&2
done

searched=0
# The directories in ld.so.conf, and the built-in ones ldconfig always scans.
# Captured first: with pipefail, grep -q leaving early would fail the pipeline (SIGPIPE).
known=$({ cat /etc/ld.so.conf /etc/ld.so.conf.d/*.conf 2>/dev/null; printf '%s\n' /lib /usr/lib /lib64 /usr/lib64; })
grep -qxF "$libdir" <<<"$known" && searched=1
if [ -n "$destdir" ]; then
    echo "[trove] staged under DESTDIR; run ldconfig where the files end up" >&2
elif [ "$searched" = 1 ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then
    ldconfig
    echo "[trove] ran ldconfig: programs linked with -ltrove find $soname in $libdir" >&2
elif [ "$searched" = 1 ]; then
    echo "[trove] run ldconfig as root so that programs find $soname in $libdir" >&2
else
    echo "[trove] the dynamic linker does not search $libdir: link programs with" \
        "-Wl,-rpath,$libdir (or run them with LD_LIBRARY_PATH=$libdir)" >&2
fi
