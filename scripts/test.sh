#!/usr/bin/env bash
# Runs every test: the lint (swift format, strict), the Swift suites, the concurrency suite
# again under ThreadSanitizer, the resident-memory budget checks (every policy and entry shape,
# and a rewritten working set that must stay whole), the reopen check (closing gives everything
# back), the C ABI test program and the README's C example against the shipped libtrove.so,
# and the Python binding's pytest suite (installed into a fresh virtual environment,
# against that same library).
# Installs missing Debian packages first. Exits non-zero if anything fails.
# Usage: scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
step() { echo "[trove] $*" >&2; }

"$root/scripts/ensure-deps.sh"

step "swift format lint --strict"
swift format lint --strict --recursive --parallel Sources Tests Package.swift

step "swift test (debug, warnings as errors)"
swift test --parallel -Xswiftc -warnings-as-errors

# The engine suites again with the stripes' invariants verified after every change
# (Stripe.checkInvariants): queue counts against segment bookkeeping, the items counter
# against the index, every probe chain.
step "engine suites with internal checks"
TROVE_REPOSITORY_TESTS=0 swift test --scratch-path .build-checks -Xswiftc -DTROVE_INTERNAL_CHECKS \
    --filter 'EngineBasicsTests|InvalidationTests|ShapeAlignmentTests|CacheBatchTests|ConcurrencyTests'

# ThreadSanitizer checks the locking of the engine's Swift state (stripes, pool, handles,
# loads in flight, refresh schedule, tags), including the stale-read races of loads against
# every kind of invalidation; Swift does not instrument raw-pointer accesses, so the
# optimistic arena reads are checked by the torn-read tests instead.
step "concurrency suites under ThreadSanitizer"
TROVE_REPOSITORY_TESTS=0 swift test --scratch-path .build-tsan --sanitize=thread \
    --filter 'ConcurrencyTests|LoadingTests|RefreshAheadTests|TagTests'

step "Swift API documentation builds without warnings (DocC)"
TROVE_REPOSITORY_TESTS=0 swift package --scratch-path .build-docs generate-documentation --target Trove --warnings-as-errors >/dev/null

step "resident memory within the budget (a process of its own)"
swift build -c release --product trove-bench
for policy in lru s3fifo wtinylfu adaptive; do
    "$root/.build/release/trove-bench" budget --capacity-bytes $((32 << 20)) --policy "$policy" >/dev/null
    "$root/.build/release/trove-bench" rewrite --policy "$policy" >/dev/null
done
# Every policy against entry shapes from 8-byte keys with empty values to 1 KiB keys with
# values near the segment size, with and without a TTL, a process per case (about 50 s).
"$root/scripts/check-budget.sh" --quick "$root/.build/release/trove-bench" >/dev/null

# Tag invalidation costs time proportional to the tagged entries, not to the cache: 100 of
# 10,000 against 100 of 100,000 (a scan would take about 10x as long; 2 s).
"$root/.build/release/trove-bench" tags --populations 10000,100000 --tagged 100 --rounds 11 --limit 5 >/dev/null

# 1000 open/close cycles per interface, memory-only and with a disk tier (20 to 30 s in all):
# closing must give back descriptors, mappings, threads and memory.
step "closing a cache gives everything back (1000 reopens, C and Swift)"
for api in c swift; do
    "$root/.build/release/trove-bench" reopen --cycles 1000 --mode both --api "$api" >/dev/null
done

library=$("$root/scripts/build-lib.sh")
libdir=$(dirname "$library")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cflags=(-Wall -Wextra -Werror -std=c11 -pthread -I"$root/include")

step "C ABI test program"
gcc "${cflags[@]}" -o "$work/trove_abi_test" "$root/Tests/CABI/trove_abi_test.c" -L"$libdir" -ltrove
LD_LIBRARY_PATH="$libdir" "$work/trove_abi_test"

step "C ABI read-through loading test program"
gcc "${cflags[@]}" -o "$work/trove_load_test" "$root/Tests/CABI/trove_load_test.c" -L"$libdir" -ltrove
LD_LIBRARY_PATH="$libdir" "$work/trove_load_test"

step "C ABI removal listener test program"
gcc "${cflags[@]}" -o "$work/trove_listener_test" "$root/Tests/CABI/trove_listener_test.c" -L"$libdir" -ltrove
LD_LIBRARY_PATH="$libdir" "$work/trove_listener_test"

step "README C example"
awk '/^```c$/{on=1; next} /^```$/{on=0} on' "$root/README.md" >"$work/example.c"
test -s "$work/example.c" || { echo "[trove] no C example found in README.md" >&2; exit 1; }
gcc "${cflags[@]}" -o "$work/example" "$work/example.c" -L"$libdir" -ltrove
LD_LIBRARY_PATH="$libdir" "$work/example"

step "install into a temporary prefix: the C example through pkg-config, the Python wheel"
"$root/scripts/test-install.sh" --no-build

step "Python binding: pip install into .build-python/venv, then pytest"
venv="$root/.build-python/venv"
rm -rf "$venv" "$root/bindings/python/build"
python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -c 'import pytest' 2>/dev/null || "$venv/bin/python" -m pip install -q pytest
TROVE_LIBRARY="$library" "$venv/bin/python" -m pip install -q "$root/bindings/python"
rm -rf "$root/bindings/python/build"
# From outside the source tree, so `import trove` is the installed package; TROVE_EXPECT_SPEEDUPS
# makes a missing C extension a failure here rather than a silently skipped half of the suite.
(cd "$work" && TROVE_LIBRARY="$library" TROVE_EXPECT_SPEEDUPS=1 \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider "$root/bindings/python/tests")

step "all tests passed"
