#!/usr/bin/env bash
# Installs what a fresh Debian 12 + Swift 6.3 machine lacks to build and test Lessor.
# Idempotent: installs only missing packages. Server packages never start by themselves
# (policy-rc.d), so tests start what they need on the ports they choose.
set -euo pipefail

packages=(
    libsqlite3-dev   # GRDB links the system SQLite
    sqlite3          # tests inspect database files with the sqlite3 shell
    libncurses-dev   # the dashboard (ncursesw)
    tmux             # Tests/IntegrationTests: the dashboard's terminal end to end
    # Tests/IntegrationTests: lessor serve in network namespaces with real clients (scripts/it/lab.sh)
    iproute2         # ip netns, veth pairs, bridges
    procps           # sysctl inside the namespaces
    util-linux       # nsenter, mount (the guards that keep clients off the host's files)
    python3          # scripts/it/malformed.py (standard library only)
    isc-dhcp-client  # dhclient
    dhcpcd-base      # dhcpcd
    wide-dhcpv6-client  # dhcp6c (its init script never runs: policy-rc.d below)
    udhcpc           # busybox udhcpc
    kea-admin        # perfdhcp (not a server, but it pulls Kea's libraries: policy-rc.d below)
    kea-dhcp6-server # the lab's reference DHCPv6 server (lab.sh kea6); never started by the package
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
# No package may start a service on this machine: a policy-rc.d that refuses (exit 101) must be
# in place before anything is installed. One we create stays; a different one already there is
# set aside for the install and put back afterwards.
saved=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# Lessor scripts/install-deps.sh: packages start no services\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
elif [ ! -x /usr/sbin/policy-rc.d ] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
    saved=$(mktemp)
    cp -a /usr/sbin/policy-rc.d "$saved"
    printf '#!/bin/sh\n# Lessor scripts/install-deps.sh: packages start no services\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
fi
restore() { if [ -n "$saved" ]; then mv -f "$saved" /usr/sbin/policy-rc.d; fi; }
trap restore EXIT
export DEBIAN_FRONTEND=noninteractive
# wide-dhcpv6-client's debconf default puts eth0 in /etc/default/wide-dhcpv6-client, and its init
# script (enabled at boot) would then run dhcp6c on the host's eth0: preseed no interfaces, so
# the only dhcp6c that ever runs is the lab's, in its namespace.
if [[ " ${missing[*]} " == *" wide-dhcpv6-client "* ]]; then
    echo 'wide-dhcpv6-client wide-dhcpv6-client/interfaces string' | debconf-set-selections
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
