#!/usr/bin/env bash
# What each eviction policy costs on the hot path: trove-bench's peer workload (Zipf 0.99,
# 2 threads, 95% reads) once with room for every key and once with room for a tenth of
# them (so every miss evicts), ROUNDS rounds with the policies interleaved, then the
# median ops/s per policy and its ratio to the fastest baseline (lru, s3fifo, wtinylfu).
# Usage: scripts/measure-policies.sh [ROUNDS] [KEYS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
keys=${2:-1000000}
swift build --package-path "$root" -c release --product trove-bench >&2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for round in $(seq "$rounds"); do
    echo "[measure] round $round of $rounds" >&2
    for capacity in 0 $((keys / 10)); do
        for policy in lru s3fifo wtinylfu adaptive; do
            "$root/.build/release/trove-bench" peer --keys "$keys" --threads 2 --read-ratios 95 --seconds 3 \
                --capacity "$capacity" --policy "$policy" 2>/dev/null |
                sed "s/^{/{\"policy\":\"$policy\",\"capacity\":$capacity,/" >>"$out"
        done
    done
done
python3 - "$out" "$keys" <<'PY'
import collections, json, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    row = json.loads(line)
    runs[(row["capacity"], row["policy"])].append(row["ops_per_s"])
print("| policy | all keys fit | 10% of keys fit |")
print("|---|---|---|")
medians = {key: statistics.median(values) for key, values in runs.items()}
capacities = sorted({capacity for capacity, _ in medians})
for policy in ["lru", "s3fifo", "wtinylfu", "adaptive"]:
    cells = []
    for capacity in capacities:
        fastest = max(medians[(capacity, p)] for p in ["lru", "s3fifo", "wtinylfu"])
        value = medians[(capacity, policy)]
        cells.append(f"{value / 1e6:.2f}M ({value / fastest:.2f}x)")
    print(f"| {policy} | " + " | ".join(cells) + " |")
PY
