#!/usr/bin/env bash
# Captures real DHCP packets from the clients in Debian 12 and from Kea, and stores them as byte
# fixtures for the DHCPWire codec tests in Tests/DHCPWireTests/Fixtures/{v4,v6}/*.bin with a
# MANIFEST.md.
#
#   sudo scripts/capture-fixtures.sh            # about 45 s
#
# Runs as root. Installs what is missing (tcpdump, isc-dhcp-client, dhcpcd-base, udhcpc, Kea and
# perfdhcp) with a policy-rc.d that keeps Kea from starting on the host, builds the namespaces of
# scripts/lib/netns.sh (lsr-srv, lsr-cli, lsr-rly; documentation addresses only), runs Kea and
# tcpdump in lsr-srv and drives each client through acquire, renew and release in lsr-cli, and
# perfdhcp as a relay agent in lsr-rly. Everything is removed again on exit.
#
# Environment: LSR_KEEP_TMP=1 keeps the temp dir (pcaps, logs, configs); LSR_FIXTURES=DIR writes
# somewhere else than the repository; LSR_ALLOW_MISSING=1 installs the fixtures even when some
# expected ones were not captured.
# shellcheck disable=SC2119  # functions with optional arguments are called without them
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/netns.sh
source "$REPO/scripts/lib/netns.sh"

[[ $(id -u) == 0 ]] || lsr_die "run as root (sudo $0)"
FIXTURES=${LSR_FIXTURES:-$REPO/Tests/DHCPWireTests/Fixtures}
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# One MAC per client (documentation block, RFC 7042), so the extractor can tell who sent what.
MAC_DHCLIENT=00:00:5e:00:53:01
MAC_DHCPCD=00:00:5e:00:53:02
MAC_UDHCPC=00:00:5e:00:53:03
MAC_DHCLIENT_PD=00:00:5e:00:53:04
MAC_PERFDHCP=00:00:5e:00:53:10   # chaddr / DUID link-layer address perfdhcp simulates

# Fixtures the run must produce (others are written when they occur).
EXPECTED_V4=(dhclient-discover dhclient-request dhclient-renew dhclient-init-reboot dhclient-release
    dhcpcd-discover dhcpcd-request dhcpcd-renew dhcpcd-init-reboot dhcpcd-release
    udhcpc-discover udhcpc-request udhcpc-renew udhcpc-release
    perfdhcp-relay-discover perfdhcp-relay-request
    kea-offer kea-ack kea-ack-renew kea-nak kea-relay-offer kea-relay-ack)
EXPECTED_V6=(dhclient-solicit dhclient-request dhclient-renew dhclient-confirm dhclient-release
    dhclient-pd-solicit dhclient-pd-request dhclient-pd-renew dhclient-pd-rebind dhclient-pd-release
    dhcpcd-solicit dhcpcd-request dhcpcd-renew dhcpcd-confirm dhcpcd-release
    perfdhcp-relay-solicit perfdhcp-relay-request
    kea-advertise kea-reply kea-reply-renew kea-reply-confirm kea-reply-release
    kea-pd-advertise kea-pd-reply kea-pd-reply-rebind
    kea-relay-advertise kea-relay-reply)

PROBLEMS=()
step() {
    local name=$1; shift
    lsr_log "== $name"
    if ! "$@"; then
        lsr_log "!! $name did not complete"
        PROBLEMS+=("$name")
        # Leave nothing of it running into the next step.
        local f
        for f in "$LSR_TMP"/*/lsr.pid; do
            if [[ -f $f ]]; then lsr_stop "$(cat "$f")" TERM 5; fi
        done
    fi
    return 0
}

# ---- the clients, one after the other on lsr-c0 -------------------------------------------------

run_dhclient4() {
    local ns=$LSR_NS_CLI ifc=$LSR_IF_CLI d=$LSR_TMP/dhclient4
    lsr_client_link_reset "$MAC_DHCLIENT"
    dhclient4_start "$ns" "$ifc" "$d"
    dhclient4_wait_bound "$ns" "$ifc" "$d" || return 1
    dhclient4_renew "$ns" "$ifc" "$d" || return 1
    # Stop without release and start again: INIT-REBOOT (REQUEST with option 50, ciaddr 0).
    dhclient4_stop "$ns" "$ifc" "$d"
    lsr_events_reset "$d"
    dhclient4_start "$ns" "$ifc" "$d"
    dhclient4_wait_bound "$ns" "$ifc" "$d" || return 1
    dhclient4_release "$ns" "$ifc" "$d"
}

# dhclient believing it holds 192.0.2.250 (not in Kea's pool): its INIT-REBOOT gets a DHCPNAK from
# the authoritative Kea. The NAK'd client starts over with a DISCOVER and is released after that.
run_dhclient4_nak() {
    local ns=$LSR_NS_CLI ifc=$LSR_IF_CLI d=$LSR_TMP/dhclient4-nak
    mkdir -p "$d"
    lsr_client_link_reset "$MAC_DHCLIENT"
    cat >"$d/dhclient.leases" <<EOF
lease {
  interface "$LSR_IF_CLI";
  fixed-address 192.0.2.250;
  option subnet-mask 255.255.255.0;
  option dhcp-lease-time 3600;
  option dhcp-server-identifier $LSR_SRV_V4;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
EOF
    dhclient4_start "$ns" "$ifc" "$d"
    lsr_wait_log 15 "$d/dhclient.log" 'DHCPNAK' || { dhclient4_stop "$ns" "$ifc" "$d"; return 1; }
    dhclient4_wait_bound "$ns" "$ifc" "$d" || true
    dhclient4_release "$ns" "$ifc" "$d"
}

run_dhcpcd4() {
    local ns=$LSR_NS_CLI ifc=$LSR_IF_CLI d=$LSR_TMP/dhcpcd4
    lsr_client_link_reset "$MAC_DHCPCD"
    dhcpcd4_start "$ns" "$ifc" "$d"
    dhcpcd4_wait_bound "$ns" "$ifc" "$d" || return 1
    dhcpcd4_renew "$ns" "$ifc" "$d" || return 1
    # dhcpcd -x and start again: INIT-REBOOT.
    dhcpcd4_stop "$ns" "$ifc" "$d"
    lsr_events_reset "$d"
    dhcpcd4_start "$ns" "$ifc" "$d"
    dhcpcd4_wait_bound "$ns" "$ifc" "$d" || return 1
    dhcpcd4_release "$ns" "$ifc" "$d"
}

run_udhcpc() {
    local ns=$LSR_NS_CLI ifc=$LSR_IF_CLI d=$LSR_TMP/udhcpc
    lsr_client_link_reset "$MAC_UDHCPC"
    udhcpc_start "$ns" "$ifc" "$d"
    udhcpc_wait_bound "$ns" "$ifc" "$d" || return 1
    udhcpc_renew "$ns" "$ifc" "$d" || return 1
    udhcpc_release "$ns" "$ifc" "$d"
}

# run_v6_client CLIENT MAC: acquire, renew, stop without release and start again (CONFIRM for
# IA_NA, REBIND for IA_PD), release. CLIENT: dhclient6, dhclient6pd or dhcpcd6.
run_v6_client() {
    local c=$1 mac=$2 ns=$LSR_NS_CLI ifc=$LSR_IF_CLI d=$LSR_TMP/$1
    lsr_client_link_reset "$mac"
    "${c}_start" "$ns" "$ifc" "$d"
    "${c}_wait_bound" "$ns" "$ifc" "$d" || return 1
    "${c}_renew" "$ns" "$ifc" "$d" || return 1
    "${c}_stop" "$ns" "$ifc" "$d"
    lsr_events_reset "$d"
    "${c}_start" "$ns" "$ifc" "$d"
    "${c}_wait_bound" "$ns" "$ifc" "$d" || return 1
    "${c}_release" "$ns" "$ifc" "$d"
}

run_perfdhcp4() {
    perfdhcp4_relay "$LSR_NS_RLY" "$LSR_RLY_V4" "$LSR_SRV_RLY_V4" "$MAC_PERFDHCP" "$LSR_TMP/perfdhcp4.log"
}
run_perfdhcp6() {
    perfdhcp6_relay "$LSR_NS_RLY" "$LSR_IF_RLY" "$LSR_SRV_RLY_V6" "$MAC_PERFDHCP" "$LSR_TMP/perfdhcp6.log"
}

# ---- main ----------------------------------------------------------------------------------------

main() {
    local start=$SECONDS
    lsr_install_packages
    lsr_tmp_init
    trap lsr_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM HUP
    lsr_log "temp dir $LSR_TMP"

    lsr_netns_setup
    lsr_tcpdump_start "$LSR_NS_SRV" "$LSR_IF_SRV" "$LSR_TMP/client-link.pcap"; local td1=$LSR_LAST_PID
    lsr_tcpdump_start "$LSR_NS_SRV" "$LSR_IF_SRV_RLY" "$LSR_TMP/relay-link.pcap"; local td2=$LSR_LAST_PID
    lsr_kea4_start
    lsr_kea6_start

    step "perfdhcp -4 relay" run_perfdhcp4
    step "perfdhcp -6 relay" run_perfdhcp6
    step "dhclient (v4)" run_dhclient4
    step "dhclient (v4) INIT-REBOOT to a NAK" run_dhclient4_nak
    step "dhcpcd -4" run_dhcpcd4
    step "udhcpc" run_udhcpc
    step "dhclient -6 (IA_NA)" run_v6_client dhclient6 "$MAC_DHCLIENT"
    step "dhclient -6 -P (IA_PD)" run_v6_client dhclient6pd "$MAC_DHCLIENT_PD"
    step "dhcpcd -6" run_v6_client dhcpcd6 "$MAC_DHCPCD"

    sleep 1   # let the last replies reach the pcaps
    lsr_stop "$td1" INT 5
    lsr_stop "$td2" INT 5

    # Who is who, for the extractor and the manifest.
    local v_dhclient v_dhcpcd v_busybox v_kea
    v_dhclient=$(lsr_pkg_version isc-dhcp-client)
    v_dhcpcd=$(lsr_pkg_version dhcpcd-base)
    v_busybox=$(lsr_pkg_version udhcpc)
    v_kea=$(lsr_pkg_version kea-dhcp4-server)
    cat >"$LSR_TMP/sources.txt" <<EOF
$MAC_DHCLIENT dhclient \`dhclient\` (isc-dhcp-client $v_dhclient)
$MAC_DHCPCD dhcpcd \`dhcpcd\` (dhcpcd-base $v_dhcpcd)
$MAC_UDHCPC udhcpc \`udhcpc\` (busybox udhcpc $v_busybox)
$MAC_DHCLIENT_PD dhclient-pd \`dhclient -6 -P\` (isc-dhcp-client $v_dhclient)
$LSR_MAC_RLY perfdhcp-relay \`perfdhcp\` as relay (kea-admin $(lsr_pkg_version kea-admin))
$LSR_MAC_SRV kea Kea \`kea-dhcp{v}\` ($v_kea)
$LSR_MAC_SRV_RLY kea Kea \`kea-dhcp{v}\` ($v_kea)
EOF
    write_manifest_header >"$LSR_TMP/header.md"

    local stage=$LSR_TMP/fixtures
    "$PY" "$REPO/scripts/pcap-to-fixtures.py" list --sources "$LSR_TMP/sources.txt" \
        "$LSR_TMP/client-link.pcap" "$LSR_TMP/relay-link.pcap" >"$LSR_TMP/packets.txt"
    "$PY" "$REPO/scripts/pcap-to-fixtures.py" extract --sources "$LSR_TMP/sources.txt" \
        --header "$LSR_TMP/header.md" --out "$stage" "$LSR_TMP/client-link.pcap" "$LSR_TMP/relay-link.pcap"

    local missing=() n
    for n in "${EXPECTED_V4[@]}"; do [[ -f $stage/v4/$n.bin ]] || missing+=("v4/$n"); done
    for n in "${EXPECTED_V6[@]}"; do [[ -f $stage/v6/$n.bin ]] || missing+=("v6/$n"); done
    if [[ ${#missing[@]} -gt 0 ]]; then
        lsr_log "missing fixtures: ${missing[*]}"
        if [[ -z ${LSR_ALLOW_MISSING:-} ]]; then
            # shellcheck disable=SC2034  # read by lsr_cleanup
            LSR_KEEP_TMP=1
            lsr_die "not replacing the fixtures (set LSR_ALLOW_MISSING=1 to install them anyway); see $LSR_TMP"
        fi
    fi

    # Replace the captured fixtures (and only those) in the repository.
    mkdir -p "$FIXTURES/v4" "$FIXTURES/v6"
    rm -f "$FIXTURES"/v4/*.bin "$FIXTURES"/v6/*.bin
    cp "$stage"/v4/*.bin "$FIXTURES/v4/"
    cp "$stage"/v6/*.bin "$FIXTURES/v6/"
    cp "$stage/MANIFEST.md" "$FIXTURES/MANIFEST.md"
    rm -f "$FIXTURES/.keep"

    "$PY" "$REPO/scripts/pcap-to-fixtures.py" verify "$FIXTURES"
    if [[ ${#PROBLEMS[@]} -gt 0 ]]; then lsr_log "steps that did not complete: ${PROBLEMS[*]}"; fi
    lsr_log "done in $((SECONDS - start)) s"
}

write_manifest_header() {
    cat <<EOF
# DHCP wire fixtures

Real packets, captured on the wire: the UDP payload of each, byte for byte, as sent. Nothing
is edited. The clients ran with their stock Debian 12 configuration (dhclient with Debian's
\`/etc/dhcp/dhclient.conf\`, dhcpcd with Debian's \`/etc/dhcpcd.conf\`), each with its own
MAC from the documentation block 00:00:5e:00:53:xx (RFC 7042), against Kea with
valid-lifetime $LSR_VALID s, T1 $LSR_T1 s, T2 $LSR_T2 s; IPv4 pool 192.0.2.100-199 on the client
link, 198.18.0.0/24 behind the relay; IPv6 pool 2001:db8:1::100-1ff, PD pool 2001:db8:100::/40
delegating /56, 2001:db8:2::/64 behind the relay. Transaction ids, DUID-LLT times and lease
addresses differ from one capture to the next.

Regenerate (under a minute, as root; replaces \`v4/*.bin\`, \`v6/*.bin\` and this file):

    sudo scripts/capture-fixtures.sh

\`scripts/pcap-to-fixtures.py verify Tests/DHCPWireTests/Fixtures\` decodes every fixture.

Names: \`<sender>-<message>\`. For clients: \`renew\` = REQUEST with ciaddr set, sent unicast;
\`init-reboot\` = REQUEST with option 50, no option 54, ciaddr 0. For Kea: the reply type,
\`relay-\` when it went back through the relay, \`pd-\` when it delegates a prefix, and a suffix
naming the client message answered when that is not the usual one (\`kea-ack-renew\`,
\`kea-reply-release\`). The first packet of each name is kept. Every run produces the names
listed in \`EXPECTED_V4\`/\`EXPECTED_V6\` in \`scripts/capture-fixtures.sh\` (it fails otherwise);
other files appear only when it happened in that run: e.g. \`udhcpc-rebind\` + \`kea-ack-rebind\`
when udhcpc lost Kea's sub-millisecond ACK to its unicast renew (udhcpc 1.35 sends the renew
from a short-lived socket bound to ciaddr:68; an answer that arrives before that socket is
closed is delivered to it and lost, and udhcpc falls back to a broadcast REBIND ~2 s later).
Tests should only rely on the expected names.

Captured $(date -u +%Y-%m-%d) on Debian $(cat /etc/debian_version 2>/dev/null || echo '?'), kernel $(uname -r).
EOF
}

main "$@"
