#!/usr/bin/env bash
# DHCPv6 benchmark: Lessor against Kea memfile with perfdhcp -6 (relay mode, SARR and renewals).
# See scripts/bench-dhcp.sh.
exec env BENCH_FAMILY=6 "$(dirname "${BASH_SOURCE[0]}")/bench-dhcp.sh" "$@"
