#!/usr/bin/env bash
# Measures the disk tier against fio on the same file system, back to back:
#   fio 4 KiB random reads (io_uring, QD 32, O_DIRECT) vs trove-bench cold's batched disk reads,
#   fio sequential writes of region-sized blocks vs the load phase's demotion throughput,
# then prints the ratios. Installs fio if missing. Not part of the tests: it takes minutes
# and needs several GiB of free disk in DIR.
# Usage: scripts/measure-cold.sh [DIR] [extra trove-bench cold arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/tmp/trove-measure}
shift || true
"$root/scripts/ensure-deps.sh" fio
swift build --package-path "$root" -c release --product trove-bench >&2
mkdir -p "$dir"
fio_file="$dir/fio.dat"
results="$dir/results.jsonl"
: >"$results"
# fio_json LABEL fio-arguments...: one JSON line with fio's read IOPS and write MB/s.
fio_json() {
    local label=$1
    shift
    fio --output-format=json "$@" | python3 -c 'import json, sys
job = json.load(sys.stdin)["jobs"][0]
print(json.dumps({"tool": sys.argv[1], "read_iops": job["read"]["iops"], "write_mb_s": job["write"]["bw_bytes"] / 1e6}))' "$label"
}
echo "[measure] fio random reads" >&2
fio_json fio-randread --name=rr --filename="$fio_file" --size=1G --ioengine=io_uring --rw=randread --bs=4k \
    --iodepth=32 --direct=1 --runtime=10 --time_based | tee -a "$results"
echo "[measure] fio sequential writes, 4 MiB blocks" >&2
fio_json fio-seqwrite --name=sw --filename="$fio_file" --size=1G --ioengine=io_uring --rw=write --bs=4M \
    --iodepth=4 --direct=1 --runtime=10 --time_based | tee -a "$results"
rm -f "$fio_file"
echo "[measure] trove-bench cold" >&2
"$root/.build/release/trove-bench" cold --path "$dir/cold" "$@" | tee -a "$results"
rm -rf "$dir/cold"
python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
fio_read = next(r["read_iops"] for r in rows if r.get("tool") == "fio-randread")
fio_write = next(r["write_mb_s"] for r in rows if r.get("tool") == "fio-seqwrite")
phase = {r["phase"]: r for r in rows if r.get("workload") == "cold"}
reads = phase["disk-reads"]["disk_reads_per_s"]
load = phase["load"]
print(f"disk random reads: {reads:.0f}/s vs fio {fio_read:.0f} IOPS = {reads / fio_read:.2f}x", file=sys.stderr)
print(f"demotion: {load['demoted_mb_per_s']} MB/s of values ({load['disk_write_mb_per_s']} MB/s to disk) "
      f"vs fio {fio_write:.0f} MB/s = {load['demoted_mb_per_s'] / fio_write:.2f}x "
      f"({load['disk_write_mb_per_s'] / fio_write:.2f}x in disk bytes)", file=sys.stderr)
mixed, memory = phase["mixed"], phase.get("memory-only")
if memory:
    print(f"hit ratio: {mixed['hit_ratio']} with the disk tier vs {memory['hit_ratio']} memory-only", file=sys.stderr)
print(f"index: {mixed.get('index_bytes_per_entry')} DRAM bytes per on-disk entry", file=sys.stderr)
rec = phase["recovery"]
print(f"recovery of {rec['items']} entries: {rec['checkpoint_ms']} ms from the checkpoint, {rec['scan_ms']} ms by scan",
      file=sys.stderr)
crash = phase.get("crash")
if crash:
    print(f"after SIGKILL: {crash['items']} entries (after flushing {crash['flushed_mb']} MB) recovered by scan in "
          f"{crash['recovery_ms']} ms; {crash['hits']} sampled keys hit, {crash['wrong_values']} wrong", file=sys.stderr)
PY
