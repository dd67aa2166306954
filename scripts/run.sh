#!/usr/bin/env bash
# The main job: builds trove-bench in release mode and runs the peer workload (1M keys,
# 100-byte values, Zipf 0.99, 1 and 2 threads, 100/95/50% reads) through Trove's C ABI,
# printing one JSON line per configuration and a human report with the engine's
# statistics. Installs missing Debian packages first. Extra arguments go to trove-bench
# (e.g. --quick, --api swift, or a subcommand: scripts/run.sh --help).
# Usage: scripts/run.sh [trove-bench arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ensure-deps.sh"
echo "[trove] building trove-bench (release)" >&2
swift build --package-path "$root" -c release --product trove-bench >&2
exec "$root/.build/release/trove-bench" "$@"
