#!/usr/bin/env bash
# Compares Trove with the peers of ../shared/peers on the same workload, in one sitting:
# ROUNDS rounds, each running c-sol and trove-bench (C ABI, then Swift API) back to back,
# then prints the medians and the ratios to c-sol. Extra arguments go to both (default:
# the issue's 1M keys, 1 and 2 threads, 100% and 95% reads, 5 s).
# Usage: scripts/measure-peers.sh PEERS_DIR [ROUNDS] [workload flags...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peers=${1:?usage: scripts/measure-peers.sh PEERS_DIR [ROUNDS] [flags]}
rounds=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(--keys 1000000 --threads 1,2 --read-ratios 100,95 --seconds 5)
swift build --package-path "$root" -c release --product trove-bench >&2
out=$(mktemp)
for round in $(seq "$rounds"); do
    echo "[measure] round $round of $rounds" >&2
    bash "$peers/run.sh" --only c-sol "${flags[@]}" 2>/dev/null | grep '^{' >>"$out" || true
    "$root/.build/release/trove-bench" peer --api c "${flags[@]}" 2>/dev/null >>"$out"
    "$root/.build/release/trove-bench" peer --api swift "${flags[@]}" 2>/dev/null | sed 's/"peer":"trove"/"peer":"trove-swift"/' >>"$out"
done
python3 - "$out" <<'PY'
import json, statistics, sys, collections
runs = collections.defaultdict(list)
memory = collections.defaultdict(list)
for line in open(sys.argv[1]):
    row = json.loads(line)
    if "error" in row: continue
    peer = row["peer"] if row["peer"] != "trove" else "trove-c"
    runs[(peer, row["threads"], row["read_ratio"])].append(row["ops_per_s"])
    memory[peer].append(row["mem_efficiency"])
configs = sorted({(t, r) for (_, t, r) in runs}, key=lambda c: (c[0], -c[1]))
print("| peer | " + " | ".join(f"T{t} R{r}" for t, r in configs) + " | mem_efficiency |")
print("|---" * (len(configs) + 2) + "|")
for peer in ["c-sol", "trove-c", "trove-swift"]:
    cells = []
    for t, r in configs:
        value = statistics.median(runs[(peer, t, r)])
        sol = statistics.median(runs[("c-sol", t, r)])
        cells.append(f"{value / 1e6:.2f}M" + ("" if peer == "c-sol" else f" ({value / sol:.2f}x)"))
    print(f"| {peer} | " + " | ".join(cells) + f" | {statistics.median(memory[peer]):.3f} |")
for t, r in configs:
    c, s = statistics.median(runs[("trove-c", t, r)]), statistics.median(runs[("trove-swift", t, r)])
    print(f"T{t} R{r}: swift/c = {s / c:.3f}", file=sys.stderr)
print(f"medians of {len(runs[('c-sol', 1, 100)])} rounds", file=sys.stderr)
PY
rm -f "$out"
