#!/usr/bin/env python3
"""Draws the JSON lines of `trove-bench trace-suite` as an SVG chart.

For every (trace, size) pair, one bar per policy: its miss ratio relative to the best of
the baselines (lru, s3fifo, wtinylfu) at that pair, so that a bar left of zero beats them
all. Bars past +/-15% are clipped and labelled. Belady's optimum, when the traces' README
gives it (`--reference`), is a tick, labelled when clipped. Standard library only.

Usage: scripts/plot-policies.py SUITE.jsonl [--reference traces/README.md] > chart.svg
"""
import argparse
import collections
import json
import re
import sys

POLICIES = [("lru", "#9e9e9e"), ("s3fifo", "#4e79a7"), ("wtinylfu", "#f28e2b"), ("adaptive", "#e15759")]
BASELINES = ("lru", "s3fifo", "wtinylfu")
LIMIT = 15.0
ROW, BAR, LEFT, WIDTH, TOP = 44, 9, 230, 520, 60


def load(lines):
    pairs = collections.defaultdict(dict)
    for line in lines:
        if line.startswith("{"):
            row = json.loads(line)
            pairs[(row["trace"], row["fraction"])][row["policy"]] = row["miss_ratio"]
    missing = [key for key, ratios in pairs.items() if not all(p in ratios for p, _ in POLICIES)]
    if missing:
        sys.exit(f"plot-policies: {missing[0]} lacks some of {[p for p, _ in POLICIES]}: run trace-suite with all four")
    return pairs


def belady(lines):
    optimum = {}
    if lines:
        for line in lines:
            match = re.match(r"\| (\w+) \| ([\d.]+)% \| \d+ \|(.*)\|\s*$", line)
            if match:
                last = match.group(3).split("|")[-1].strip()
                try:
                    optimum[(match.group(1), float(match.group(2)) / 100)] = float(last)
                except ValueError:
                    pass
    return optimum


def x(relative):
    return LEFT + WIDTH / 2 + max(-LIMIT, min(LIMIT, relative)) / LIMIT * WIDTH / 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", type=argparse.FileType("r"), help="trace-suite's JSON lines")
    parser.add_argument("--reference", type=argparse.FileType("r"), help="the traces' README.md, for Belady")
    arguments = parser.parse_args()
    pairs, optimum = load(arguments.suite), belady(arguments.reference)
    keys = sorted(pairs)
    height = TOP + ROW * len(keys) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 40}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="20" font-size="14">Miss ratio relative to the best baseline (left of 0 beats all three)</text>']
    for index, (policy, colour) in enumerate(POLICIES):
        out.append(f'<rect x="{LEFT + index * 110}" y="32" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{LEFT + index * 110 + 14}" y="41">{policy}</text>')
    out.append(f'<text x="{LEFT + 4 * 110}" y="41">| Belady</text>')
    for percent in range(-15, 16, 5):
        position = x(percent)
        out.append(f'<line x1="{position}" y1="{TOP - 6}" x2="{position}" y2="{height - 34}" '
                   f'stroke="{"#000" if percent == 0 else "#ddd"}"/>'
                   f'<text x="{position}" y="{height - 20}" text-anchor="middle">{percent:+d}%</text>')
    for row, key in enumerate(keys):
        ratios = pairs[key]
        best = min(ratios[p] for p in BASELINES)
        top = TOP + row * ROW
        out.append(f'<text x="{LEFT - 8}" y="{top + ROW / 2}" text-anchor="end">{key[0]} {key[1] * 100:g}%</text>')
        for index, (policy, colour) in enumerate(POLICIES):
            relative = (ratios[policy] - best) / best * 100
            start, end = sorted((x(0), x(relative)))
            y = top + 4 + index * BAR
            out.append(f'<rect x="{start}" y="{y}" width="{max(end - start, 1)}" height="{BAR - 1}" fill="{colour}">'
                       f'<title>{policy} {ratios[policy]:.4f} ({relative:+.2f}%)</title></rect>')
            if abs(relative) > LIMIT:
                out.append(f'<text x="{end + 3 if relative > 0 else start - 3}" y="{y + BAR - 1}" '
                           f'text-anchor="{"start" if relative > 0 else "end"}" font-size="9">{relative:+.0f}%</text>')
        if key in optimum:
            relative = (optimum[key] - best) / best * 100
            position = x(relative)
            out.append(f'<line x1="{position}" y1="{top + 2}" x2="{position}" y2="{top + 4 + 4 * BAR}" stroke="black" stroke-width="2"/>')
            if relative < -LIMIT:
                out.append(f'<text x="{position + 4}" y="{top + 12}" font-size="9">Belady {relative:+.0f}%</text>')
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
