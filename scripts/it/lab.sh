#!/usr/bin/env bash
# A small network lab for the integration tests (Tests/IntegrationTests), built on
# scripts/lib/netns.sh: one server namespace holding Linux bridges (the links), and one
# namespace per client "host", joined to a bridge by a veth pair. Each call does one thing and
# exits; the state lives in the namespaces and in the lab's directory, so the Swift tests (or a
# person debugging) can drive a lab step by step:
#
#   scripts/it/lab.sh up      LAB                       # namespace LAB-srv
#   scripts/it/lab.sh link    LAB BRIDGE ADDR/LEN MAC   # a link: bridge in LAB-srv with the server's address
#   scripts/it/lab.sh link6   LAB BRIDGE ADDR6/LEN      # IPv6 on that link: the server's 2001:db8: address
#   scripts/it/lab.sh host    LAB HOST BRIDGE MAC       # namespace LAB-HOST, its eth0 (MAC) plugged into BRIDGE
#   scripts/it/lab.sh replug  LAB HOST BRIDGE           # move HOST's cable to another bridge (link)
#   scripts/it/lab.sh addr    LAB HOST ADDR/LEN         # a static address on HOST's eth0 (a squatter)
#   scripts/it/lab.sh unaddr  LAB HOST ADDR/LEN
#   scripts/it/lab.sh veth    LAB HOST ADDR/LEN SRVADDR/LEN  # a routed point-to-point link HOST <-> LAB-srv (relays)
#   scripts/it/lab.sh client  LAB HOST CLIENT ACTION DIR [ARGS]  # CLIENT_ACTION from netns.sh on HOST's eth0
#   scripts/it/lab.sh kea6    LAB BRIDGE ADDR6 DIR      # kea-dhcp6 on BRIDGE (a reference server), state in DIR/kea6
#   scripts/it/lab.sh down    LAB DIR                   # end what runs in the lab (by PID), delete its namespaces
#   scripts/it/lab.sh sweep                             # delete empty namespaces of dead test runs
#
# IPv6: every namespace has accept_dad=0 and accept_ra=0 (link-local addresses usable at once,
# nothing configured from router advertisements), and `host` waits until the link-local addresses
# of the host's eth0 and of its bridge are there and no longer tentative.
# CLIENT is dhclient4, dhcpcd4, udhcpc, or for DHCPv6 dhclient6 (IA_NA), dhclient6pd (IA_PD),
# dhcpcd6 or dhcp6c; ACTION start, wait_bound, renew, release or stop (see
# "clients: common shape" in scripts/lib/netns.sh); plus `udhcpc with ARGS` (udhcpc started with
# more arguments) and `dhclient4 restart` (stop without release, start again: INIT-REBOOT).
# LAB names start with "lit<PID>-" (the test process): `sweep` removes namespaces whose PID is
# gone and in which nothing runs. Addresses: documentation ranges only (192.0.2.0/24,
# 198.18.0.0/15, 2001:db8::/32). MACs: 00:00:5e:00:53:xx (RFC 7042).
set -euo pipefail

# Swift's Foundation.Process (the tests' runner) learns that a child exited when a socket the
# child inherited is closed. Clients this script leaves running in the background must not
# inherit that socket (or any other descriptor of the caller's), or the caller would wait for
# them too. So the work runs in a child bash that first closes every inherited descriptor
# above 2, while this one keeps them open until the work is done.
if [[ -z ${LSR_LAB_CHILD:-} ]]; then
    LSR_LAB_CHILD=1 "$BASH" "${BASH_SOURCE[0]}" "$@"
    exit $?
fi
for fd in "/proc/$$/fd"/*; do
    fd=${fd##*/}
    if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2 && fd != 255)); then eval "exec $fd>&-" 2>/dev/null || true; fi
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/lib/netns.sh
source "$REPO/scripts/lib/netns.sh"

[[ $(id -u) == 0 ]] || lsr_die "lab.sh needs root (network namespaces)"

lab_ns() { echo "$1-$2"; }   # LAB HOST -> namespace name

lab_up() {
    local lab=$1 ns
    ns=$(lab_ns "$lab" srv)
    lsr_ns_exists "$ns" && lsr_die "namespace $ns exists already"
    ip netns add "$ns"
    lsr_ns "$ns" ip link set lo up
    lsr_ns_sysctls "$ns"
}

lab_link() {
    local lab=$1 bridge=$2 addr=$3 mac=$4 ns
    ns=$(lab_ns "$lab" srv)
    # STP off and no forward delay: ports forward as soon as they are up. A fixed MAC: a bridge
    # takes its ports' lowest MAC otherwise, and a client's unicast to a stale one is lost.
    lsr_ns "$ns" ip link add "$bridge" address "$mac" type bridge stp_state 0 forward_delay 0
    lsr_ns "$ns" ip addr add "$addr" dev "$bridge"
    lsr_ns "$ns" ip link set "$bridge" up
}

lab_link6() {
    local lab=$1 bridge=$2 addr=$3
    [[ $addr == 2001:db8:* || $addr == 2001:DB8:* ]] || lsr_die "$addr: the lab uses 2001:db8::/32 only"
    lsr_ns "$(lab_ns "$lab" srv)" ip -6 addr add "$addr" dev "$bridge" nodad
}

# The server end of HOST's cable is "p-HOST" in LAB-srv (15 characters at most).
lab_port() { echo "p-$1"; }

lab_host() {
    local lab=$1 host=$2 bridge=$3 mac=$4 ns srv port
    ns=$(lab_ns "$lab" "$host"); srv=$(lab_ns "$lab" srv); port=$(lab_port "$host")
    lsr_ns_exists "$ns" && lsr_die "namespace $ns exists already"
    ip netns add "$ns"
    lsr_ns "$ns" ip link set lo up
    lsr_ns_sysctls "$ns"
    # Created inside the namespaces (never in the host's), so names only need to be unique there.
    ip link add "$port" netns "$srv" type veth peer name eth0 netns "$ns" address "$mac"
    lsr_if_sysctls "$ns" eth0
    lsr_ns "$srv" ip link set "$port" master "$bridge"
    lsr_ns "$srv" ip link set "$port" up
    lsr_ns "$ns" ip link set eth0 up
    lsr_wait_for 10 "carrier on eth0 in $ns" lab_carrier "$ns" eth0
    lsr_wait_for 10 "link-local address on eth0 in $ns" lsr_has_ll "$ns" eth0
    lsr_wait_for 10 "link-local address on $bridge in $srv" lsr_has_ll "$srv" "$bridge"
}

lab_carrier() { [[ $(lsr_ns "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null) == 1 ]]; }

lab_replug() {
    local lab=$1 host=$2 bridge=$3 ns srv port
    ns=$(lab_ns "$lab" "$host"); srv=$(lab_ns "$lab" srv); port=$(lab_port "$host")
    # Like pulling the cable and plugging it into another switch: the client sees its carrier
    # go down and up, its address stays until its DHCP client acts.
    lsr_ns "$srv" ip link set "$port" down
    lsr_ns "$srv" ip link set "$port" nomaster
    lsr_ns "$srv" ip link set "$port" master "$bridge"
    lsr_ns "$srv" ip link set "$port" up
    lsr_wait_for 10 "carrier on eth0 in $ns" lab_carrier "$ns" eth0
}

lab_addr() { lsr_ns "$(lab_ns "$1" "$2")" ip addr add "$3" dev eth0; }
lab_unaddr() { lsr_ns "$(lab_ns "$1" "$2")" ip addr del "$3" dev eth0; }

lab_veth() {
    local lab=$1 host=$2 addr=$3 srvaddr=$4 ns srv port
    ns=$(lab_ns "$lab" "$host"); srv=$(lab_ns "$lab" srv); port=$(lab_port "$host")
    lsr_ns_exists "$ns" && lsr_die "namespace $ns exists already"
    ip netns add "$ns"
    lsr_ns "$ns" ip link set lo up
    lsr_ns_sysctls "$ns"
    ip link add "$port" netns "$srv" type veth peer name eth0 netns "$ns"
    lsr_ns "$srv" ip addr add "$srvaddr" dev "$port"
    lsr_ns "$ns" ip addr add "$addr" dev eth0
    lsr_ns "$srv" ip link set "$port" up
    lsr_ns "$ns" ip link set eth0 up
    lsr_wait_for 10 "carrier on eth0 in $ns" lab_carrier "$ns" eth0
}

# udhcpc_with NS IFACE DIR ARGS...: udhcpc_start of netns.sh with more udhcpc arguments, e.g.
# `-r 192.0.2.100` (ask for somebody else's address) or `-a -A 30` (ARP-check the offered
# address, DECLINE it when another host answers, wait 30 s before trying again).
udhcpc_with() {
    local ns=$1 ifc=$2 dir=$3
    shift 3
    mkdir -p "$dir"
    lsr_hook "$dir" udhcpc
    lsr_guard "$ns" "$dir"
    lsr_bg "$dir/udhcpc.log" "${LSR_GUARD[@]}" udhcpc -f -i "$ifc" -s "$dir/hook.sh" \
        -p "$dir/udhcpc.pid" -t 5 -T 2 -A 5 "$@"
    echo "$LSR_LAST_PID" >"$dir/lsr.pid"
}

# dhclient stopped without a release (dhclient -x) and started again: an INIT-REBOOT for the
# address in its lease file.
dhclient4_restart() {
    local ns=$1 ifc=$2 dir=$3
    dhclient4_stop "$ns" "$ifc" "$dir"
    dhclient4_start "$ns" "$ifc" "$dir"
}

lab_client() {
    local lab=$1 host=$2 client=$3 action=$4 dir=$5 ns fn
    shift 5
    ns=$(lab_ns "$lab" "$host")
    case "$client" in dhclient4|dhcpcd4|udhcpc|dhclient6|dhclient6pd|dhcpcd6|dhcp6c) ;; *) lsr_die "unknown client $client" ;; esac
    case "$action" in start|wait_bound|renew|release|stop|with|restart) ;; *) lsr_die "unknown action $action" ;; esac
    fn=${client}_${action}
    declare -F "$fn" >/dev/null || lsr_die "no $fn"
    "$fn" "$ns" eth0 "$dir" "$@"
}

# kea-dhcp6 in LAB-srv serving BRIDGE (ADDR6: the bridge's address, for unicast) with netns.sh's
# lsr_kea6_start: IA_NA pool 2001:db8:1::100-1ff, IA_PD 2001:db8:100::/40 in /56s, valid 20 s,
# T1 5 s, T2 10 s; memfile leases in DIR/kea6/leases6.csv. A reference server for the lab's
# DHCPv6 clients; `down` ends it by its PID in DIR/kea6/lsr.pid.
lab_kea6() {
    local lab=$1 bridge=$2 addr=$3 dir=$4
    LSR_NS_SRV=$(lab_ns "$lab" srv) LSR_IF_SRV=$bridge LSR_IF_SRV_RLY=$bridge LSR_SRV_RLY_V6=$addr \
        LSR_SRV_V6=$addr lsr_kea6_start "$dir/kea6"
    echo "$LSR_LAST_PID" >"$dir/kea6/lsr.pid"
}

# Ends, by PID, what runs in the lab's namespaces (the clients recorded in DIR/*/lsr.pid first,
# then anything else inside the namespaces: all of it was started by the test), then deletes them.
lab_down() {
    local lab=$1 dir=${2:-} f pid ns namespaces=()
    set +e
    if [[ -n $dir && -d $dir ]]; then
        for f in "$dir"/*/lsr.pid; do
            [[ -f $f ]] || continue
            pid=$(cat "$f")
            [[ -n $pid ]] && lsr_stop "$pid" TERM 3
        done
    fi
    mapfile -t namespaces < <(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$lab-")
    for ns in "${namespaces[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
    done
    local i left
    for ((i = 0; i < 30; i++)); do
        left=0
        for ns in "${namespaces[@]}"; do [[ -n $(ip netns pids "$ns" 2>/dev/null) ]] && left=1; done
        [[ $left == 0 ]] && break
        sleep 0.1
    done
    for ns in "${namespaces[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null; done
    return 0
}

# Namespaces of test runs that died without cleaning up: removed when their run's PID is gone
# and nothing runs in them (anything still running there is reported, not killed).
lab_sweep() {
    local ns pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^lit[0-9]+-' || true); do
        pid=${ns#lit}; pid=${pid%%-*}
        kill -0 "$pid" 2>/dev/null && continue
        if [[ -n $(ip netns pids "$ns" 2>/dev/null) ]]; then
            lsr_log "leftover namespace $ns still has processes ($(ip netns pids "$ns" | tr '\n' ' ')); not removing it"
            continue
        fi
        ip netns del "$ns" 2>/dev/null || true
    done
}

command=${1:-}
shift || true
case "$command" in
    up) lab_up "$@" ;;
    link) lab_link "$@" ;;
    link6) lab_link6 "$@" ;;
    host) lab_host "$@" ;;
    replug) lab_replug "$@" ;;
    addr) lab_addr "$@" ;;
    unaddr) lab_unaddr "$@" ;;
    veth) lab_veth "$@" ;;
    client) lab_client "$@" ;;
    kea6) lab_kea6 "$@" ;;
    down) lab_down "$@" ;;
    sweep) lab_sweep ;;
    *) lsr_die "usage: lab.sh up|link|link6|host|replug|addr|unaddr|veth|client|kea6|down|sweep ... (see the header)" ;;
esac
