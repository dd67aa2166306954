#!/usr/bin/env bash
# Installs the Debian packages Trove needs (liburing-dev, libzstd-dev, pkg-config, gcc,
# python3, python3-venv and python3-dev for the Python binding, and libsqlite3-dev for
# GRDB in the TroveRepositoryTests target) when they are missing. Idempotent; does
# nothing when all are present.
# Usage: scripts/ensure-deps.sh [extra-package ...]
set -euo pipefail
wanted=(liburing-dev libzstd-dev pkg-config gcc libc6-dev python3 python3-venv python3-dev libsqlite3-dev "$@")
missing=()
for package in "${wanted[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
echo "[trove] installing: ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "[trove] need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >&2
"${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" >&2
