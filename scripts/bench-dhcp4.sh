#!/usr/bin/env bash
# DHCPv4 benchmark: Lessor against Kea memfile with perfdhcp. See scripts/bench-dhcp.sh.
exec env BENCH_FAMILY=4 "$(dirname "${BASH_SOURCE[0]}")/bench-dhcp.sh" "$@"
