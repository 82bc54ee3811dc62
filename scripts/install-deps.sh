#!/usr/bin/env bash
# Installs what a fresh Debian 12 + Swift 6.3 machine lacks to build and test Lessor.
# Idempotent: installs only missing packages. Server packages never start by themselves
# (policy-rc.d), so tests start what they need on the ports they choose.
set -euo pipefail

packages=(
    libsqlite3-dev   # GRDB links the system SQLite
    sqlite3          # tests inspect database files with the sqlite3 shell
    libncurses-dev   # the dashboard (ncursesw)
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
fi
if [ ! -x /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
