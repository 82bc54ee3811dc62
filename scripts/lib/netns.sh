# shellcheck shell=bash
# Lessor test network: network namespaces joined by veth pairs, Kea as a reference server,
# tcpdump, and start/renew/release functions for the real DHCP clients in Debian 12.
#
# Source this file from a bash script that runs as root with `set -euo pipefail`, then:
#
#   lsr_install_packages             # apt-get what is missing (policy-rc.d first)
#   lsr_tmp_init                     # $LSR_TMP: temp dir for every config, lease, pid and log file
#   trap lsr_cleanup EXIT            # ends what we started (by PID), deletes the namespaces
#   lsr_netns_setup                  # lsr-srv <-> lsr-cli (client link), lsr-srv <-> lsr-rly (relay link)
#   lsr_kea4_start; lsr_kea6_start   # Kea in lsr-srv (or start the server under test there instead)
#   lsr_client_link_reset 00:00:5e:00:53:01
#   d=$LSR_TMP/dhclient4
#   dhclient4_start "$LSR_NS_CLI" "$LSR_IF_CLI" "$d"
#   dhclient4_wait_bound "$LSR_NS_CLI" "$LSR_IF_CLI" "$d" || echo "no lease"
#   dhclient4_renew ...; dhclient4_release ...
#
# The client functions (dhclient4, dhclient6, dhclient6pd, dhcpcd4, dhcpcd6, dhcp6c, udhcpc; each with
# _start, _wait_bound, _renew, _release, _stop) are described at "clients: common shape" below;
# perfdhcp4_relay / perfdhcp6_relay run perfdhcp as a relay agent from lsr-rly.
# Never call a *_start or lsr_bg inside $(...): the PID bookkeeping would be lost.
#
# Network rules: only namespaces we create, only documentation addresses (192.0.2.0/24,
# 198.18.0.0/15, 2001:db8::/32, link-local) and the documentation MAC range 00:00:5e:00:53:xx
# (RFC 7042). Every wait is bounded. Nothing here touches the host's resolv.conf, routes or
# /var/lib state: every client gets its own config, lease, pid and DUID files under a temp dir,
# and its hook script only changes addresses on the interface inside its namespace.

LSR_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ---- topology ---------------------------------------------------------------------------------
: "${LSR_NS_SRV:=lsr-srv}"   # server (Kea, or Lessor later) and tcpdump
: "${LSR_NS_CLI:=lsr-cli}"   # the real DHCP clients, one at a time
: "${LSR_NS_RLY:=lsr-rly}"   # perfdhcp acting as a relay agent
: "${LSR_IF_SRV:=lsr-s0}"    # server end of the client link
: "${LSR_IF_CLI:=lsr-c0}"    # client end of the client link
: "${LSR_IF_SRV_RLY:=lsr-s1}" # server end of the relay link
: "${LSR_IF_RLY:=lsr-r0}"    # relay end of the relay link

# Client link: 192.0.2.0/24 and 2001:db8:1::/64. Relay link: 198.18.0.0/24 and 2001:db8:2::/64.
: "${LSR_SRV_V4:=192.0.2.1}"
: "${LSR_SRV_V6:=2001:db8:1::1}"
: "${LSR_SRV_RLY_V4:=198.18.0.1}"
: "${LSR_RLY_V4:=198.18.0.2}"
: "${LSR_SRV_RLY_V6:=2001:db8:2::1}"
: "${LSR_RLY_V6:=2001:db8:2::2}"
# MACs from the IANA documentation block 00-00-5E-00-53-00..FF (RFC 7042 §2.1.2).
: "${LSR_MAC_SRV:=00:00:5e:00:53:f0}"
: "${LSR_MAC_SRV_RLY:=00:00:5e:00:53:f1}"
: "${LSR_MAC_RLY:=00:00:5e:00:53:f2}"
: "${LSR_MAC_CLI:=00:00:5e:00:53:01}"

LSR_PIDS=()        # every background process we started, by PID
LSR_TMP=""
LSR_TMP_OWNED=0

lsr_log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
lsr_die() { lsr_log "ERROR: $*"; exit 1; }

# ---- packages ---------------------------------------------------------------------------------
LSR_PACKAGES=(iproute2 tcpdump isc-dhcp-client dhcpcd-base udhcpc kea-admin kea-dhcp4-server
              kea-dhcp6-server util-linux python3)

# Installs whatever of LSR_PACKAGES (or the given packages) is missing. Writes a policy-rc.d that
# forbids starting services first, so that the Kea packages do not start a server on the host.
lsr_install_packages() {
    local pkgs=("${@:-${LSR_PACKAGES[@]}}") missing=() p
    for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    lsr_log "installing: ${missing[*]}"
    local saved=""
    if [[ ! -x /usr/sbin/policy-rc.d ]] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
        # Keep whatever policy there was, and put it back after the install.
        if [[ -e /usr/sbin/policy-rc.d ]]; then saved=$(mktemp); cp -a /usr/sbin/policy-rc.d "$saved"; else saved=none; fi
        printf '#!/bin/sh\n# Lessor scripts/lib/netns.sh: start no service while installing\nexit 101\n' \
            >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
    if [[ $rc == 0 ]]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
    fi
    if [[ $saved == none ]]; then rm -f /usr/sbin/policy-rc.d
    elif [[ -n $saved ]]; then mv -f "$saved" /usr/sbin/policy-rc.d; fi
    [[ $rc == 0 ]] || lsr_die "apt-get failed ($rc) installing ${missing[*]}"
}

# "package version" of the installed package, for manifests.
lsr_pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }

# ---- temp dir, processes, cleanup -------------------------------------------------------------
lsr_tmp_init() {
    if [[ -z "${LSR_TMP}" ]]; then
        LSR_TMP=$(mktemp -d /tmp/lessor-netns.XXXXXX)
        LSR_TMP_OWNED=1
    fi
    chmod 755 "$LSR_TMP"
}

# lsr_bg LOGFILE CMD...: start CMD in the background, remember its PID in LSR_PIDS and in
# LSR_LAST_PID. Never call it (or a *_start function) inside $(...): the PID would be lost.
LSR_LAST_PID=""
lsr_bg() {
    local log=$1; shift
    "$@" >"$log" 2>&1 </dev/null &
    LSR_LAST_PID=$!
    LSR_PIDS+=("$LSR_LAST_PID")
}

lsr_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# lsr_stop PID [SIGNAL] [TIMEOUT_S]: signal one process we started and wait (bounded) for it;
# SIGKILL if it is still there after the timeout.
lsr_stop() {
    local pid=$1 sig=${2:-TERM} timeout=${3:-5} i
    lsr_alive "$pid" || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
        lsr_alive "$pid" || break
        sleep 0.1
    done
    if lsr_alive "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# lsr_wait_for TIMEOUT_S DESCRIPTION CMD...: poll CMD every 0.2 s until it succeeds; 1 on timeout.
lsr_wait_for() {
    local timeout=$1 what=$2 i; shift 2
    for ((i = 0; i < timeout * 5; i++)); do
        if "$@" 2>/dev/null; then return 0; fi
        sleep 0.2
    done
    lsr_log "timed out after ${timeout}s waiting for: $what"
    return 1
}

# lsr_wait_log TIMEOUT_S FILE ERE: wait until FILE has a line matching ERE.
lsr_wait_log() { lsr_wait_for "$1" "/$3/ in $(basename "$2")" grep -Eq -- "$3" "$2"; }

lsr_cleanup() {
    local rc=$? pid ns i
    set +e
    # Everything we started, newest first.
    for ((i = ${#LSR_PIDS[@]} - 1; i >= 0; i--)); do
        lsr_stop "${LSR_PIDS[i]}" TERM 3
    done
    # Anything still inside our own namespaces descends from this script (forked daemons,
    # privsep children): end those by PID too before the namespaces go.
    for ns in "$LSR_NS_CLI" "$LSR_NS_RLY" "$LSR_NS_SRV"; do
        lsr_ns_exists "$ns" || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    done
    sleep 0.3
    for ns in "$LSR_NS_CLI" "$LSR_NS_RLY" "$LSR_NS_SRV"; do
        lsr_ns_exists "$ns" || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    lsr_netns_teardown
    if [[ $LSR_TMP_OWNED == 1 && -n "$LSR_TMP" && -z "${LSR_KEEP_TMP:-}" ]]; then
        rm -rf -- "$LSR_TMP"
    elif [[ -n "$LSR_TMP" ]]; then
        lsr_log "kept $LSR_TMP"
    fi
    return "$rc"
}

# ---- namespaces -------------------------------------------------------------------------------
lsr_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
lsr_ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx -- "$1"; }

lsr_netns_teardown() {
    local ns
    for ns in "$LSR_NS_CLI" "$LSR_NS_RLY" "$LSR_NS_SRV"; do
        if lsr_ns_exists "$ns"; then ip netns del "$ns" 2>/dev/null || true; fi
    done
}

# Per-namespace sysctls: no DAD (link-local usable at once), no RA processing.
lsr_ns_sysctls() {
    local ns=$1
    lsr_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
        net.ipv6.conf.default.disable_ipv6=0
}

lsr_if_sysctls() {
    local ns=$1 ifc=$2
    lsr_ns "$ns" sysctl -qw "net.ipv6.conf.$ifc.accept_dad=0" "net.ipv6.conf.$ifc.accept_ra=0"
}

# Creates lsr-srv, lsr-cli and lsr-rly and the two veth pairs (created inside the namespaces,
# never in the host's). Idempotent: removes leftovers of an earlier run first.
lsr_netns_setup() {
    local ns pids
    for ns in "$LSR_NS_CLI" "$LSR_NS_RLY" "$LSR_NS_SRV"; do
        lsr_ns_exists "$ns" || continue
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        [[ -z $pids ]] || lsr_die "namespace $ns is left from an earlier run with processes in it ($pids); stop them first"
    done
    lsr_netns_teardown
    for ns in "$LSR_NS_SRV" "$LSR_NS_CLI" "$LSR_NS_RLY"; do
        ip netns add "$ns"
        lsr_ns "$ns" ip link set lo up
        lsr_ns_sysctls "$ns"
    done
    ip link add "$LSR_IF_SRV" netns "$LSR_NS_SRV" address "$LSR_MAC_SRV" type veth \
        peer name "$LSR_IF_CLI" netns "$LSR_NS_CLI" address "$LSR_MAC_CLI"
    ip link add "$LSR_IF_SRV_RLY" netns "$LSR_NS_SRV" address "$LSR_MAC_SRV_RLY" type veth \
        peer name "$LSR_IF_RLY" netns "$LSR_NS_RLY" address "$LSR_MAC_RLY"
    lsr_if_sysctls "$LSR_NS_SRV" "$LSR_IF_SRV"
    lsr_if_sysctls "$LSR_NS_SRV" "$LSR_IF_SRV_RLY"
    lsr_if_sysctls "$LSR_NS_CLI" "$LSR_IF_CLI"
    lsr_if_sysctls "$LSR_NS_RLY" "$LSR_IF_RLY"

    lsr_ns "$LSR_NS_SRV" ip addr add "$LSR_SRV_V4/24" dev "$LSR_IF_SRV"
    lsr_ns "$LSR_NS_SRV" ip addr add "$LSR_SRV_V6/64" dev "$LSR_IF_SRV" nodad
    lsr_ns "$LSR_NS_SRV" ip addr add "$LSR_SRV_RLY_V4/24" dev "$LSR_IF_SRV_RLY"
    lsr_ns "$LSR_NS_SRV" ip addr add "$LSR_SRV_RLY_V6/64" dev "$LSR_IF_SRV_RLY" nodad
    lsr_ns "$LSR_NS_RLY" ip addr add "$LSR_RLY_V4/24" dev "$LSR_IF_RLY"
    lsr_ns "$LSR_NS_RLY" ip addr add "$LSR_RLY_V6/64" dev "$LSR_IF_RLY" nodad
    lsr_ns "$LSR_NS_SRV" ip link set "$LSR_IF_SRV" up
    lsr_ns "$LSR_NS_SRV" ip link set "$LSR_IF_SRV_RLY" up
    lsr_ns "$LSR_NS_CLI" ip link set "$LSR_IF_CLI" up
    lsr_ns "$LSR_NS_RLY" ip link set "$LSR_IF_RLY" up
    lsr_wait_for 10 "link-local on $LSR_IF_CLI" lsr_has_ll "$LSR_NS_CLI" "$LSR_IF_CLI"
    lsr_wait_for 10 "link-local on $LSR_IF_SRV" lsr_has_ll "$LSR_NS_SRV" "$LSR_IF_SRV"
    lsr_wait_for 10 "link-local on $LSR_IF_RLY" lsr_has_ll "$LSR_NS_RLY" "$LSR_IF_RLY"
}

lsr_has_ll() { lsr_ns "$1" ip -6 addr show dev "$2" scope link | grep -q 'inet6 fe80::' \
    && ! lsr_ns "$1" ip -6 addr show dev "$2" | grep -q tentative; }

# lsr_client_link_reset [MAC]: gives the client end a fresh state (no addresses, the given MAC,
# so each client shows up under its own MAC) and waits for its link-local address.
lsr_client_link_reset() {
    local mac=${1:-$LSR_MAC_CLI} ns=${2:-$LSR_NS_CLI} ifc=${3:-$LSR_IF_CLI}
    lsr_ns "$ns" ip link set "$ifc" down
    lsr_ns "$ns" ip addr flush dev "$ifc"
    lsr_ns "$ns" ip link set "$ifc" address "$mac"
    lsr_ns "$ns" ip link set "$ifc" up
    lsr_wait_for 10 "link-local on $ifc" lsr_has_ll "$ns" "$ifc"
}

# ---- tcpdump ----------------------------------------------------------------------------------
# lsr_tcpdump_start NS IFACE PCAP: capture DHCPv4/DHCPv6 on IFACE (link type Ethernet), packet-
# buffered so the file can be read while it runs. PID in LSR_LAST_PID.
lsr_tcpdump_start() {
    local ns=$1 ifc=$2 pcap=$3
    lsr_bg "$pcap.log" ip netns exec "$ns" tcpdump -i "$ifc" -n -s 0 -U --immediate-mode -Z root -w "$pcap" \
        'udp and (port 67 or port 68 or port 546 or port 547)'
    lsr_wait_log 10 "$pcap.log" 'listening on' || lsr_die "tcpdump on $ifc did not start"
}

# ---- Kea --------------------------------------------------------------------------------------
# Short timers so that renewals happen within seconds: valid 20 s, T1 5 s, T2 10 s.
: "${LSR_VALID:=20}"
: "${LSR_T1:=5}"
: "${LSR_T2:=10}"

# lsr_started PID FILE ERE: FILE matches ERE (started); fails for good if PID has died meanwhile.
lsr_started() {
    if grep -Eq -- "$3" "$2" 2>/dev/null; then return 0; fi
    lsr_alive "$1" || { lsr_log "process $1 exited before: $3"; exit 1; }
    return 1
}

lsr_kea_env() {
    local dir=$1
    echo "KEA_PIDFILE_DIR=$dir" "KEA_LOCKFILE_DIR=$dir" "KEA_LOGGER_DESTINATION=$dir/kea-logger.log"
}

# lsr_kea4_start [DIR]: kea-dhcp4 in the server namespace, memfile leases in DIR. PID in LSR_LAST_PID.
lsr_kea4_start() {
    local dir=${1:-$LSR_TMP/kea4}
    mkdir -p "$dir"
    rm -f "$dir/leases4.csv"* "$dir/kea4.log"
    cat >"$dir/kea-dhcp4.conf" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$LSR_IF_SRV", "$LSR_IF_SRV_RLY" ], "dhcp-socket-type": "raw" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/leases4.csv", "lfc-interval": 0 },
    "authoritative": true,
    "valid-lifetime": $LSR_VALID,
    "renew-timer": $LSR_T1,
    "rebind-timer": $LSR_T2,
    "option-data": [ { "name": "domain-name-servers", "data": "$LSR_SRV_V4" },
                     { "name": "domain-name", "data": "example.com" } ],
    "subnet4": [
      { "id": 1, "subnet": "192.0.2.0/24", "interface": "$LSR_IF_SRV",
        "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
        "option-data": [ { "name": "routers", "data": "$LSR_SRV_V4" } ] },
      { "id": 2, "subnet": "198.18.0.0/24",
        "pools": [ { "pool": "198.18.0.100 - 198.18.0.199" } ],
        "option-data": [ { "name": "routers", "data": "$LSR_RLY_V4" } ] }
    ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO",
                   "output_options": [ { "output": "$dir/kea4.log", "flush": true } ] } ]
  }
}
EOF
    # shellcheck disable=SC2046
    lsr_bg "$dir/stdout.log" ip netns exec "$LSR_NS_SRV" env $(lsr_kea_env "$dir") \
        kea-dhcp4 -c "$dir/kea-dhcp4.conf"
    lsr_wait_for 15 "kea-dhcp4 to start" lsr_started "$LSR_LAST_PID" "$dir/kea4.log" 'DHCP4_STARTED' || { cat "$dir"/*.log >&2; lsr_die "kea-dhcp4 did not start"; }
}

# lsr_kea6_start [DIR]: kea-dhcp6, IA_NA pool in 2001:db8:1::/64, PD pool 2001:db8:100::/40 -> /56,
# unicast listener on the relay link for Relay-Forward. PID in LSR_LAST_PID.
lsr_kea6_start() {
    local dir=${1:-$LSR_TMP/kea6}
    mkdir -p "$dir"
    rm -f "$dir/leases6.csv"* "$dir/kea6.log"
    cat >"$dir/kea-dhcp6.conf" <<EOF
{
  "Dhcp6": {
    "interfaces-config": { "interfaces": [ "$LSR_IF_SRV", "$LSR_IF_SRV_RLY/$LSR_SRV_RLY_V6" ] },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/leases6.csv", "lfc-interval": 0 },
    "data-directory": "$dir",
    "server-id": { "type": "LLT", "persist": true, "htype": 1, "identifier": "00005e0053f0", "time": 700000000 },
    "preferred-lifetime": $((LSR_VALID * 3 / 4)),
    "valid-lifetime": $LSR_VALID,
    "renew-timer": $LSR_T1,
    "rebind-timer": $LSR_T2,
    "option-data": [ { "name": "dns-servers", "data": "$LSR_SRV_V6" },
                     { "name": "domain-search", "data": "example.com" } ],
    "subnet6": [
      { "id": 1, "subnet": "2001:db8:1::/64", "interface": "$LSR_IF_SRV",
        "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],
        "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56 } ] },
      { "id": 2, "subnet": "2001:db8:2::/64",
        "relay": { "ip-addresses": [ "$LSR_RLY_V6" ] },
        "pools": [ { "pool": "2001:db8:2::100 - 2001:db8:2::1ff" } ],
        "pd-pools": [ { "prefix": "2001:db8:200::", "prefix-len": 40, "delegated-len": 56 } ] }
    ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "INFO",
                   "output_options": [ { "output": "$dir/kea6.log", "flush": true } ] } ]
  }
}
EOF
    # shellcheck disable=SC2046
    lsr_bg "$dir/stdout.log" ip netns exec "$LSR_NS_SRV" env $(lsr_kea_env "$dir") \
        kea-dhcp6 -c "$dir/kea-dhcp6.conf"
    lsr_wait_for 15 "kea-dhcp6 to start" lsr_started "$LSR_LAST_PID" "$dir/kea6.log" 'DHCP6_STARTED' || { cat "$dir"/*.log >&2; lsr_die "kea-dhcp6 did not start"; }
}

# ---- clients: common shape -------------------------------------------------------------------
# Every client has the same five functions, all taking NS IFACE DIR (DIR: its own state dir; the
# same DIR again means the same "host", so a restart finds its lease and DUID there):
#   <c>_start NS IFACE DIR           start it in the background (PID in LSR_LAST_PID and DIR/lsr.pid)
#   <c>_wait_bound NS IFACE DIR [S]  wait (bounded, default 20 s) until it holds a lease
#   <c>_renew NS IFACE DIR           make it renew (or wait for its own T1 renewal) and wait for that
#   <c>_release NS IFACE DIR         release the lease with the client's own command; it exits
#   <c>_stop NS IFACE DIR            stop it without a release (a restart then reboots/confirms)
# with <c> one of dhclient4, dhclient6 (IA_NA), dhclient6pd (IA_PD), dhcpcd4, dhcpcd6, dhcp6c,
# udhcpc.
# Each returns non-zero when what it waited for did not happen in time.
# DIR/events.log has one line per lease event the client reported to its hook script;
# lsr_events_reset DIR empties it so that the next wait only sees new events.

lsr_pid_of() { cat "$1/lsr.pid" 2>/dev/null; }
lsr_events_reset() { : >"$1/events.log"; }
lsr_dead() { ! lsr_alive "$1"; }
# lsr_wait_exit DIR [S]: wait for the client started in DIR to exit; SIGTERM it after S seconds.
lsr_wait_exit() {
    local pid; pid=$(lsr_pid_of "$1")
    [[ -n $pid ]] || return 0
    if ! lsr_wait_for "${2:-10}" "PID $pid to exit" lsr_dead "$pid"; then lsr_stop "$pid" TERM 5; return 1; fi
    wait "$pid" 2>/dev/null || true
}

# lsr_guard NS DIR: sets the array LSR_GUARD to a command prefix that runs a command in namespace
# NS inside a private mount namespace (ip netns exec makes one) where every host path a DHCP
# client or its stock script writes is replaced by a directory or copy in DIR/guard:
#   /etc/resolv.conf  (copy)      /run             (empty: pid files, dhcpcd's socket, hooks' state)
#   /var/lib/dhcp     (dhclient)  /var/lib/dhcpcd  (dhcpcd's DUID, secret and leases)
#   /var/lib/dhcpv6   (dhcp6c's DUID)
# So even a client started with the wrong flags (its stock script, default lease and pid files)
# cannot change the host, and each DIR is a separate "host" with its own DUID. Extra "SRC DST"
# bind pairs may be given in the LSR_EXTRA_BINDS array. ip and sh exec, so the PID is the
# client's:   lsr_guard "$ns" "$dir"; lsr_bg "$log" "${LSR_GUARD[@]}" dhclient ...
# (To run another command in the same mounts later: nsenter --target PID --mount --net CMD.)
LSR_EXTRA_BINDS=()
LSR_GUARD=()
lsr_guard() {
    local ns=$1 g=$2/guard
    mkdir -p "$g/run" "$g/var-lib-dhcp" "$g/var-lib-dhcpcd" "$g/var-lib-dhcpv6"
    chmod 755 "$2" "$g" "$g/run" "$g/var-lib-dhcp" "$g/var-lib-dhcpcd" "$g/var-lib-dhcpv6"
    if [[ ! -f $g/resolv.conf ]]; then cat /etc/resolv.conf >"$g/resolv.conf" 2>/dev/null || : >"$g/resolv.conf"; fi
    # shellcheck disable=SC2016
    LSR_GUARD=(ip netns exec "$ns" /bin/sh -c '
        set -e
        g=$1; nbinds=$2; shift 2
        mount --make-rprivate /
        if [ -e /etc/resolv.conf ]; then mount --bind "$g/resolv.conf" /etc/resolv.conf; fi
        mount --bind "$g/run" /run
        if [ -d /var/lib/dhcp ]; then mount --bind "$g/var-lib-dhcp" /var/lib/dhcp; fi
        if [ -d /var/lib/dhcpcd ]; then mount --bind "$g/var-lib-dhcpcd" /var/lib/dhcpcd; fi
        if [ -d /var/lib/dhcpv6 ]; then mount --bind "$g/var-lib-dhcpv6" /var/lib/dhcpv6; fi
        while [ "$nbinds" -gt 0 ]; do mount --bind "$1" "$2"; shift 2; nbinds=$((nbinds - 1)); done
        exec "$@"' sh "$g" $((${#LSR_EXTRA_BINDS[@]} / 2)) "${LSR_EXTRA_BINDS[@]}")
}

# lsr_hook DIR CLIENT: writes DIR/hook.sh, the script a client runs on lease events. It logs the
# event to DIR/events.log and, for the clients that leave that to their script (dhclient,
# udhcpc), puts the address on the interface inside the namespace. It never touches
# resolv.conf or routes.
lsr_hook() {
    local dir=$1 client=$2
    mkdir -p "$dir"
    printf '#!/bin/sh\nLSR_CLIENT=%s LSR_EVENTS=%s/events.log exec /bin/sh %s/client-hook.sh "$@"\n' \
        "$client" "$dir" "$LSR_LIB_DIR" >"$dir/hook.sh"
    chmod 755 "$dir/hook.sh"
    touch "$dir/events.log"
}

# ---- dhclient (isc-dhcp-client 4.4.3) ---------------------------------------------------------
# Runs in the foreground (-d), backgrounded here so the PID is ours, with a copy of Debian's
# dhclient.conf (so the packets are what a Debian host sends), our hook as -sf, and lease and
# pid files in DIR. `dhclient -r` (release) and `dhclient -x` (stop) find it by that pid file.
lsr_dhclient_args() {   # DIR FAMILY MODE
    local dir=$1 fam=$2 mode=${3:-na} args=() leases=dhclient.leases
    args=("-$fam")
    if [[ $mode == pd ]]; then args+=(-P); fi
    if [[ $fam == 6 ]]; then leases=dhclient6.leases; fi
    args+=(-cf "$dir/dhclient.conf" -sf "$dir/hook.sh" -lf "$dir/$leases" -pf "$dir/dhclient.pid")
    printf '%s\n' "${args[@]}"
}
lsr_dhclient_start() {  # NS IFACE DIR FAMILY MODE
    local ns=$1 ifc=$2 dir=$3 fam=$4 mode=$5 args
    mkdir -p "$dir"
    lsr_hook "$dir" dhclient
    if [[ ! -f "$dir/dhclient.conf" ]]; then
        if [[ -r /etc/dhcp/dhclient.conf ]]; then cp /etc/dhcp/dhclient.conf "$dir/dhclient.conf"
        else : >"$dir/dhclient.conf"; fi
    fi
    mapfile -t args < <(lsr_dhclient_args "$dir" "$fam" "$mode")
    lsr_guard "$ns" "$dir"
    lsr_bg "$dir/dhclient.log" "${LSR_GUARD[@]}" dhclient "${args[@]}" -d -v "$ifc"
    echo "$LSR_LAST_PID" >"$dir/lsr.pid"
}
lsr_dhclient_cmd() {    # NS IFACE DIR FAMILY MODE FLAG: dhclient -r / -x against the running one
    local ns=$1 ifc=$2 dir=$3 fam=$4 mode=$5 flag=$6 args
    mapfile -t args < <(lsr_dhclient_args "$dir" "$fam" "$mode")
    lsr_guard "$ns" "$dir"
    timeout 15 "${LSR_GUARD[@]}" dhclient "${args[@]}" "$flag" -v "$ifc" >>"$dir/dhclient$flag.log" 2>&1 || true
}

dhclient4_start() { lsr_dhclient_start "$1" "$2" "$3" 4 na; }
# Bound: BOUND (after DISCOVER) or REBOOT (after an INIT-REBOOT).
dhclient4_wait_bound() { lsr_wait_log "${4:-20}" "$3/events.log" 'reason=(BOUND|REBOOT) '; }
# No "renew now" command in dhclient: it renews by itself at T1 (5 s with lsr_kea4_start).
dhclient4_renew() { lsr_wait_log "${4:-$((LSR_T1 * 3))}" "$3/events.log" 'reason=RENEW '; }
dhclient4_release() {
    lsr_dhclient_cmd "$1" "$2" "$3" 4 na -r
    lsr_wait_log 10 "$3/events.log" 'reason=RELEASE ' && lsr_wait_exit "$3"
}
dhclient4_stop() { lsr_dhclient_cmd "$1" "$2" "$3" 4 na -x; lsr_wait_exit "$3"; }

# dhclient -6: IA_NA. After a stop, a restart sends CONFIRM.
dhclient6_start() { lsr_dhclient_start "$1" "$2" "$3" 6 na; }
dhclient6_wait_bound() { lsr_wait_log "${4:-20}" "$3/events.log" 'reason=(BOUND6|REBOOT6) '; }
dhclient6_renew() { lsr_wait_log "${4:-$((LSR_T1 * 3))}" "$3/events.log" 'reason=RENEW6 '; }
dhclient6_release() {
    lsr_dhclient_cmd "$1" "$2" "$3" 6 na -r
    lsr_wait_log 10 "$3/events.log" 'reason=RELEASE6 ' && lsr_wait_exit "$3"
}
dhclient6_stop() { lsr_dhclient_cmd "$1" "$2" "$3" 6 na -x; lsr_wait_exit "$3"; }

# dhclient -6 -P: IA_PD only. After a stop, a restart sends REBIND.
dhclient6pd_start() { lsr_dhclient_start "$1" "$2" "$3" 6 pd; }
dhclient6pd_wait_bound() { lsr_wait_log "${4:-20}" "$3/events.log" 'reason=(BOUND6|REBOOT6|REBIND6) '; }
dhclient6pd_renew() { dhclient6_renew "$@"; }
dhclient6pd_release() {
    lsr_dhclient_cmd "$1" "$2" "$3" 6 pd -r
    lsr_wait_log 10 "$3/events.log" 'reason=RELEASE6 ' && lsr_wait_exit "$3"
}
dhclient6pd_stop() { lsr_dhclient_cmd "$1" "$2" "$3" 6 pd -x; lsr_wait_exit "$3"; }

# ---- dhcpcd 9.4 -------------------------------------------------------------------------------
# dhcpcd keeps its DUID and leases in /var/lib/dhcpcd and its pid files and control socket in
# /run/dhcpcd, with no option to move them: lsr_guard puts both under DIR/guard, so the host's
# stay untouched. Its control commands (-N renew, -k release, -x exit) enter the same mount and
# network namespaces with nsenter. Config: Debian's /etc/dhcpcd.conf plus `script DIR/hook.sh` (dhcpcd
# configures addresses itself; the hook only logs), and for -6 `noipv6rs` + `ia_na 1` (no router
# here to send an RA with the M flag, so DHCPv6 starts at once).
lsr_dhcpcd_start() {    # NS IFACE DIR FAMILY
    local ns=$1 ifc=$2 dir=$3 fam=$4
    mkdir -p "$dir"
    lsr_hook "$dir" dhcpcd
    {
        if [[ -r /etc/dhcpcd.conf ]]; then grep -Ev '^[[:space:]]*(#|$)' /etc/dhcpcd.conf
        else printf 'duid\npersistent\nvendorclassid\noption rapid_commit\nrequire dhcp_server_identifier\n'; fi
        echo "script $dir/hook.sh"
        if [[ $fam == 6 ]]; then printf 'noipv6rs\nia_na 1\n'; fi
    } >"$dir/dhcpcd.conf"
    # -B: foreground (backgrounded here, so the PID is dhcpcd's: ip and sh exec). -d: debug log.
    lsr_guard "$ns" "$dir"
    lsr_bg "$dir/dhcpcd.log" "${LSR_GUARD[@]}" dhcpcd -"$fam" -B -d -f "$dir/dhcpcd.conf" "$ifc"
    echo "$LSR_LAST_PID" >"$dir/lsr.pid"
}
lsr_dhcpcd_cmd() {      # DIR FAMILY IFACE FLAG
    local pid; pid=$(lsr_pid_of "$1")
    lsr_alive "$pid" || return 1
    timeout 15 nsenter --target "$pid" --mount --net dhcpcd -"$2" "$4" "$3" >>"$1/dhcpcd-ctl.log" 2>&1
}

dhcpcd4_start() { lsr_dhcpcd_start "$1" "$2" "$3" 4; }
# dhcpcd ARP-probes an offered address for about 5 s before it is BOUND.
dhcpcd4_wait_bound() { lsr_wait_log "${4:-25}" "$3/events.log" 'reason=(BOUND|REBOOT) '; }
dhcpcd4_renew() { lsr_dhcpcd_cmd "$3" 4 "$2" -N; lsr_wait_log 15 "$3/events.log" 'reason=RENEW '; }
dhcpcd4_release() { lsr_dhcpcd_cmd "$3" 4 "$2" -k; lsr_wait_exit "$3" 10; }
dhcpcd4_stop() { lsr_dhcpcd_cmd "$3" 4 "$2" -x; lsr_wait_exit "$3" 10; }

dhcpcd6_start() { lsr_dhcpcd_start "$1" "$2" "$3" 6; }
dhcpcd6_wait_bound() { lsr_wait_log "${4:-20}" "$3/events.log" 'reason=(BOUND6|REBOOT6) '; }
dhcpcd6_renew() { lsr_dhcpcd_cmd "$3" 6 "$2" -N; lsr_wait_log 15 "$3/events.log" 'reason=RENEW6 '; }
dhcpcd6_release() { lsr_dhcpcd_cmd "$3" 6 "$2" -k; lsr_wait_exit "$3" 10; }
dhcpcd6_stop() { lsr_dhcpcd_cmd "$3" 6 "$2" -x; lsr_wait_exit "$3" 10; }

# ---- dhcp6c (wide-dhcpv6-client 20080615) ------------------------------------------------------
# Foreground (-f, so the PID is ours) with its debug log (-D) in DIR/dhcp6c.log, its config and
# pid file in DIR, our hook as its script. It keeps its DUID in /var/lib/dhcpv6/dhcp6c_duid (a
# compiled-in path): lsr_guard puts DIR/guard/var-lib-dhcpv6 there. It asks for one IA_NA and
# puts the address on the interface itself; the hook only logs (REASON as dhcp6c sets it).
# Bound: a 2001:db8: address on the interface. No "renew now" command: it renews at T1 by itself,
# but raises a T1/T2 it finds "too small" (5 s/10 s become 18 s/30 s), hence the longer wait.
# SIGTERM releases what it holds (RELEASE) and exits; SIGKILL is a
# stop without release.
dhcp6c_start() {
    local ns=$1 ifc=$2 dir=$3
    mkdir -p "$dir"
    lsr_hook "$dir" dhcp6c
    cat >"$dir/dhcp6c.conf" <<EOF
interface $ifc {
    send ia-na 1;
    request domain-name-servers;
    script "$dir/hook.sh";
};
id-assoc na 1 { };
EOF
    lsr_guard "$ns" "$dir"
    lsr_bg "$dir/dhcp6c.log" "${LSR_GUARD[@]}" dhcp6c -f -D -c "$dir/dhcp6c.conf" -p "$dir/dhcp6c.pid" "$ifc"
    echo "$LSR_LAST_PID" >"$dir/lsr.pid"
}
# lsr_has_global6 NS IFACE: IFACE has a (non-tentative) address in 2001:db8::/32.
lsr_has_global6() { lsr_ns "$1" ip -6 -o addr show dev "$2" scope global | grep -v tentative | grep -q 'inet6 2001:db8:'; }
dhcp6c_wait_bound() { lsr_wait_for "${4:-20}" "a 2001:db8: address on $2 in $1" lsr_has_global6 "$1" "$2"; }
dhcp6c_renew() {
    lsr_wait_log "${4:-40}" "$3/dhcp6c.log" 'send renew' \
        && lsr_wait_for 10 "a reply to the renew" lsr_log_after "$3/dhcp6c.log" 'send renew' 'receive reply'
}
dhcp6c_release() {
    local pid; pid=$(lsr_pid_of "$3")
    lsr_alive "$pid" || return 1
    kill -TERM "$pid"
    lsr_wait_exit "$3" 10 && grep -q 'send release' "$3/dhcp6c.log"
}
dhcp6c_stop() { lsr_stop "$(lsr_pid_of "$3")" KILL 5; }
# lsr_log_after FILE FIRST THEN: FILE has a line matching THEN after the last line matching FIRST.
lsr_log_after() { awk -v a="$2" -v b="$3" '$0 ~ a { seen = 0; after = 1; next } after && $0 ~ b { seen = 1 } END { exit !seen }' "$1"; }

# ---- udhcpc (busybox 1.35) --------------------------------------------------------------------
# Foreground (-f), our hook as -s (it configures the address: udhcpc renews and releases from a
# UDP socket bound to it), SIGUSR1 renews, SIGUSR2 releases. -t 5 -T 2 -A 5: bounded retries.
udhcpc_start() {
    local ns=$1 ifc=$2 dir=$3
    mkdir -p "$dir"
    lsr_hook "$dir" udhcpc
    lsr_guard "$ns" "$dir"
    lsr_bg "$dir/udhcpc.log" "${LSR_GUARD[@]}" udhcpc -f -i "$ifc" -s "$dir/hook.sh" \
        -p "$dir/udhcpc.pid" -t 5 -T 2 -A 5
    echo "$LSR_LAST_PID" >"$dir/lsr.pid"
}
udhcpc_wait_bound() { lsr_wait_log "${4:-20}" "$3/events.log" 'reason=bound '; }
udhcpc_renew() { kill -USR1 "$(lsr_pid_of "$3")"; lsr_wait_log 15 "$3/events.log" 'reason=renew '; }
# SIGUSR2 releases and leaves udhcpc idle; it is then ended with SIGTERM (no second release).
udhcpc_release() {
    local pid; pid=$(lsr_pid_of "$3")
    kill -USR2 "$pid"
    lsr_wait_log 10 "$3/udhcpc.log" 'entering released state' || { lsr_stop "$pid" TERM 5; return 1; }
    lsr_stop "$pid" TERM 5
}
udhcpc_stop() { lsr_stop "$(lsr_pid_of "$3")" TERM 5; }

# ---- perfdhcp (kea-admin), as a relay agent ---------------------------------------------------
# Given a unicast server address, perfdhcp -4 acts as a relay: giaddr is its -l address, it sends
# from port 67 and the server answers there. perfdhcp -6 -A1 wraps each message in one
# Relay-Forward. Always bounded: -n N exchanges (DORA / SARR) at -r RATE per second, -R N
# simulated clients, then -W 1 s for late answers, and `timeout` around all of it. (Without -r
# and -n, perfdhcp 2.2 sends as fast as it can until killed: never call it that way.)
# perfdhcp exits 3 when an exchange is counted as dropped; that is no failure here.
# perfdhcp4_relay NS LOCAL_ADDR SERVER MAC LOG [N [RATE]]
perfdhcp4_relay() {
    local ns=$1 local_addr=$2 server=$3 mac=$4 log=$5 n=${6:-1} rate=${7:-1} rc=0
    timeout 60 ip netns exec "$ns" perfdhcp -4 -l "$local_addr" -b "mac=$mac" \
        -n "$n" -r "$rate" -R "$n" -W 1000000 "$server" >"$log" 2>&1 || rc=$?
    [[ $rc == 0 || $rc == 3 ]]
}
# perfdhcp6_relay NS IFACE SERVER MAC LOG [N [RATE]]: the client DUID is a DUID-LLT of MAC (the
# form perfdhcp makes by default, with its own MAC otherwise).
perfdhcp6_relay() {
    local ns=$1 ifc=$2 server=$3 mac=$4 log=$5 n=${6:-1} rate=${7:-1} rc=0 duid
    duid=00010001$(printf '%08x' $(( $(date +%s) - 946684800 )))${mac//:/}
    timeout 60 ip netns exec "$ns" perfdhcp -6 -A 1 -l "$ifc" -b "duid=$duid" \
        -n "$n" -r "$rate" -R "$n" -W 1000000 "$server" >"$log" 2>&1 || rc=$?
    [[ $rc == 0 || $rc == 3 ]]
}
