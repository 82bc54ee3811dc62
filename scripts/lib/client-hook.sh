#!/bin/sh
# Lease-event hook for the DHCP clients driven by scripts/lib/netns.sh (dhclient -sf, udhcpc -s,
# dhcpcd `script`). Called through a per-run wrapper that sets LSR_CLIENT and LSR_EVENTS.
#
# It logs each event as one line "reason=EVENT key=value..." to $LSR_EVENTS, and for dhclient
# and udhcpc (which leave addressing to their script) it adds or removes the leased address on
# the interface. It runs inside the client's network namespace, so that is all it changes: no
# resolv.conf, no routes, nothing on the host. dhcpcd configures addresses itself.
# shellcheck disable=SC2154  # interface, ip, subnet, reason, new_*/old_*: set by the client
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
: "${LSR_EVENTS:=/dev/null}"

# 255.255.255.0 -> 24
mask2len() {
    len=0
    old_ifs=$IFS; IFS=.
    for octet in $1; do
        case $octet in
            255) len=$((len + 8)) ;; 254) len=$((len + 7)) ;; 252) len=$((len + 6)) ;;
            248) len=$((len + 5)) ;; 240) len=$((len + 4)) ;; 224) len=$((len + 3)) ;;
            192) len=$((len + 2)) ;; 128) len=$((len + 1)) ;; *) ;;
        esac
    done
    IFS=$old_ifs
    echo "$len"
}

case ${LSR_CLIENT:-} in
udhcpc)
    event=${1:-none}
    case $event in
        deconfig)
            ip link set dev "$interface" up
            ip -4 addr flush dev "$interface" ;;
        bound|renew)
            ip -4 addr replace "$ip/$(mask2len "${subnet:-255.255.255.0}")" dev "$interface" ;;
    esac
    # Logged after the address change, so a waiter that sees "bound" finds the address in place.
    echo "reason=$event interface=${interface:-} ip=${ip:-} subnet=${subnet:-} serverid=${serverid:-} lease=${lease:-}" >>"$LSR_EVENTS"
    ;;
dhclient)
    case ${reason:-} in
        PREINIT|PREINIT6)
            ip link set dev "$interface" up ;;
        BOUND|RENEW|REBIND|REBOOT)
            if [ -n "${old_ip_address:-}" ] && [ "${old_ip_address}" != "${new_ip_address:-}" ]; then
                ip -4 addr del "$old_ip_address/$(mask2len "${old_subnet_mask:-255.255.255.0}")" dev "$interface" 2>/dev/null
            fi
            ip -4 addr replace "$new_ip_address/$(mask2len "${new_subnet_mask:-255.255.255.0}")" dev "$interface" ;;
        EXPIRE|FAIL|RELEASE|STOP)
            if [ -n "${old_ip_address:-}" ]; then
                ip -4 addr del "$old_ip_address/$(mask2len "${old_subnet_mask:-255.255.255.0}")" dev "$interface" 2>/dev/null
            fi ;;
        BOUND6|RENEW6|REBIND6|REBOOT6)
            if [ -n "${new_ip6_address:-}" ]; then
                ip -6 addr replace "$new_ip6_address/${new_ip6_prefixlen:-128}" dev "$interface" nodad
            fi ;;
        EXPIRE6|RELEASE6|STOP6)
            if [ -n "${old_ip6_address:-}" ]; then
                ip -6 addr del "$old_ip6_address/${old_ip6_prefixlen:-128}" dev "$interface" 2>/dev/null
            fi ;;
    esac
    echo "reason=${reason:-none} interface=${interface:-} ip=${new_ip_address:-} old_ip=${old_ip_address:-} ip6=${new_ip6_address:-} prefix6=${new_ip6_prefix:-} lease=${new_dhcp_lease_time:-}" >>"$LSR_EVENTS"
    ;;
dhcp6c)
    # dhcp6c has configured the address itself; its script gets REASON (NBI in Debian's build,
    # for every reply) and the reply's options.
    echo "reason=${REASON:-REPLY} dns6=$(echo "${new_domain_name_servers:-}" | tr ' ' ',')" >>"$LSR_EVENTS"
    ;;
*)
    # dhcpcd: it has configured (or removed) the address already; only log.
    echo "reason=${reason:-none} interface=${interface:-} ip=${new_ip_address:-} ip6=${new_dhcp6_ia_na1_ia_addr1:-} protocol=${protocol:-}" >>"$LSR_EVENTS"
    ;;
esac
exit 0
