#!/usr/bin/env bash
# The memory-budget matrix: every policy against entry shapes from tiny (8-byte keys, empty
# values) to wide (1 KiB keys, values near the segment size), with and without a TTL, each in
# a process of its own (`trove-bench budget`), then the rewrite check (`trove-bench rewrite`).
# Prints one JSON line per case on stdout and fails if any case breaks the budget promise.
# Usage: scripts/check-budget.sh [--quick] [BENCH]   (BENCH: a built trove-bench; default .build/release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
bench=${1:-"$root/.build/release/trove-bench"}
budget=$((32 << 20))
puts=3000000
[ "$quick" = 1 ] && puts=1500000
shapes=(
    "--key-length 8 --value-lengths 0"
    "--key-length 16 --value-lengths 30"
    "--key-length 16 --value-lengths 100"
    "--key-length 24 --value-lengths 0,4,16,64,300"
    "--key-length 1024 --value-lengths 0,2000"
    "--key-length 1024 --value-lengths max --puts 2000"
)
failed=0
for policy in lru s3fifo wtinylfu adaptive; do
    for shape in "${shapes[@]}"; do
        for ttl in 0 1; do
            # shellcheck disable=SC2086
            if ! "$bench" budget --capacity-bytes "$budget" --policy "$policy" --puts "$puts" \
                --ttl-milliseconds "$ttl" $shape; then
                failed=$((failed + 1))
            fi
        done
    done
done
if [ "$failed" -gt 0 ]; then
    echo "[trove] $failed budget cases failed" >&2
    exit 1
fi
