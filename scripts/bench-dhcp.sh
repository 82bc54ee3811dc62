#!/usr/bin/env bash
# scripts/bench-dhcp.sh: DHCP server benchmark, DHCPv4 (BENCH_FAMILY=4, scripts/bench-dhcp4.sh) or
# DHCPv6 (BENCH_FAMILY=6, scripts/bench-dhcp6.sh). perfdhcp (Debian's kea-admin) in relay mode
# against `lessor serve` (SQLite store, synchronous=full and synchronous=normal) and, when
# kea-dhcp4/kea-dhcp6 is installed, Kea 2.x with the memfile backend, on the same workloads in one run:
#
#   1. full exchanges at fixed offered rates (BENCH_RATES, BENCH_SECONDS each): DORA for DHCPv4,
#      SARR (SOLICIT, ADVERTISE, REQUEST, REPLY with one IA_NA) for DHCPv6,
#   2. renewals: perfdhcp -r R -f R (exchanges at R/s plus renewals of acquired leases at R/s),
#   3. saturation: a high offered rate (BENCH_SAT_RATE for BENCH_SAT_SECONDS),
#
# and prints one table: offered rate, completed/s, drops, latency, and the server's CPU time
# (user+sys from /proc/PID/stat) per completed exchange, plus the Lessor/Kea ratios.
#
# Usage (as root):   scripts/bench-dhcp4.sh   or   scripts/bench-dhcp6.sh
# Environment (defaults in brackets):
#   LESSOR_BIN            use this lessor binary instead of building one
#   BENCH_SCRATCH         swift build scratch path [.build-bench]; the build is
#                         `swift build -c release --scratch-path $BENCH_SCRATCH --product lessor`
#   BENCH_SERVERS         which servers, in order [lessor-full lessor-normal kea]
#   BENCH_RATES           DORA offered rates, exchanges/s [2000 5000]
#   BENCH_SECONDS         seconds per fixed-rate run [10]
#   BENCH_RENEW_RATE      DORA rate and renewal rate of the renewal run [2000]; 0 skips it
#   BENCH_RENEW_SECONDS   [10]
#   BENCH_SAT_RATE        offered rate of the saturation run [20000]; 0 skips it
#   BENCH_SAT_SECONDS     [5]
#   BENCH_CLIENTS         perfdhcp -R: distinct simulated clients (MACs) [60000]; the pool has 65024
#                         addresses. perfdhcp picks clients at random, so some DORAs are repeats
#                         of a client that already holds a lease (same for every server).
#   BENCH_PERF            1: also `perf record` lessor-full during the first DORA run and print the
#                         hottest symbols (perf report --no-children --sort symbol) [0]
#   BENCH_PERF_ARGS       perf record options [-g]; "--call-graph dwarf -F 499" unwinds through
#                         libsqlite3 and the Swift runtime, which -g (frame pointers) cannot
#   BENCH_FAMILY          4 or 6 [4]
#   BENCH_INSTALL_KEA     1: apt-get install kea-dhcp4-server / kea-dhcp6-server when missing [0]
#   BENCH_QUIET_WAIT      before each run, wait up to this many seconds for the machine to be
#                         idle (under 10% busy over 1 s), since other work skews every number [20]
#   BENCH_KEEP_TMP        non-empty: keep the temp dir (configs, logs, perfdhcp outputs)
#
# Network: one namespace of our own (lsr-bench-PID) with 198.18.0.1 (server) and 198.18.0.2
# (perfdhcp's relay address, so giaddr = 198.18.0.2) on its loopback; nothing else is touched.
# Every perfdhcp run is bounded by -r (rate), -p (seconds), -n (count) and `timeout`.
# Latency percentiles come from perfdhcp -x t (per-exchange timestamps), which keeps every
# packet in memory (~18 KB per exchange: ~0.9 GB at 5,000/s for 10 s); the saturation run goes
# without it (avg and max only).
# Kea memfile persists leases to a CSV file without fsync, so its durability is closer to
# Lessor's synchronous=normal than to synchronous=full.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

: "${BENCH_FAMILY:=4}"
: "${BENCH_SCRATCH:=$ROOT/.build-bench}"
: "${BENCH_SERVERS:=lessor-full lessor-normal kea}"
: "${BENCH_RATES:=2000 5000}"
: "${BENCH_SECONDS:=10}"
: "${BENCH_RENEW_RATE:=2000}"
: "${BENCH_RENEW_SECONDS:=10}"
: "${BENCH_SAT_RATE:=20000}"
: "${BENCH_SAT_SECONDS:=5}"
: "${BENCH_CLIENTS:=60000}"
: "${BENCH_PERF:=0}"
: "${BENCH_PERF_ARGS:=-g}"
: "${BENCH_INSTALL_KEA:=0}"
: "${BENCH_QUIET_WAIT:=20}"
BENCH_NS="lsr-bench-$$"
[[ $BENCH_FAMILY == 4 || $BENCH_FAMILY == 6 ]] || { echo "BENCH_FAMILY must be 4 or 6" >&2; exit 2; }
F=$BENCH_FAMILY
if [[ $F == 4 ]]; then
    SRV=198.18.0.1 RLY=198.18.0.2 POOL_FIRST=198.18.1.0 POOL_LAST=198.18.254.255 PORT=67
    # perfdhcp's section names for the two halves of an exchange and for renewals.
    SEC_FIRST=DISCOVER-OFFER SEC_SECOND=REQUEST-ACK SEC_RENEW="REQUEST-ACK (renewal)" WL=dora
else
    SRV=2001:db8::1 RLY=2001:db8::2 POOL_FIRST=2001:db8::1:0 POOL_LAST=2001:db8::ffff:ffff PORT=547
    SEC_FIRST=SOLICIT-ADVERTISE SEC_SECOND=REQUEST-REPLY SEC_RENEW=RENEW-REPLY WL=sarr
fi

# The helper library: PID bookkeeping, bounded waits, cleanup. Its three namespaces are all ours.
LSR_NS_SRV=$BENCH_NS LSR_NS_CLI=$BENCH_NS LSR_NS_RLY=$BENCH_NS
LSR_KEEP_TMP=${BENCH_KEEP_TMP:-}
# shellcheck source=scripts/lib/netns.sh
source "$ROOT/scripts/lib/netns.sh"

[[ $(id -u) == 0 ]] || lsr_die "run as root (network namespaces)"
for n in $BENCH_QUIET_WAIT $BENCH_RATES $BENCH_SECONDS $BENCH_RENEW_RATE $BENCH_RENEW_SECONDS $BENCH_SAT_RATE $BENCH_SAT_SECONDS $BENCH_CLIENTS; do
    [[ $n =~ ^[0-9]+$ ]] || lsr_die "rates, seconds and client counts must be whole numbers, got '$n'"
done
for n in $BENCH_RATES; do
    (( n > 0 )) || lsr_die "BENCH_RATES must be positive (perfdhcp without a rate floods)"
done
(( BENCH_SECONDS > 0 && BENCH_RENEW_SECONDS > 0 && BENCH_SAT_SECONDS > 0 && BENCH_CLIENTS > 0 )) ||
    lsr_die "BENCH_*SECONDS and BENCH_CLIENTS must be positive"

# ---- packages -----------------------------------------------------------------------------------
# Services must not start on the host when Kea is installed: a policy-rc.d that forbids it is
# written first (and left in place).
bench_policy_rc() {
    if [[ ! -x /usr/sbin/policy-rc.d ]] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
        printf '#!/bin/sh\n# start no service while installing packages\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
    fi
}
bench_install() {
    bench_policy_rc
    lsr_log "installing: $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v perfdhcp >/dev/null || bench_install kea-admin
command -v perfdhcp >/dev/null || lsr_die "perfdhcp (kea-admin) is missing"
if ! command -v "kea-dhcp$F" >/dev/null && [[ $BENCH_INSTALL_KEA == 1 ]]; then bench_install "kea-dhcp$F-server"; fi
if [[ $BENCH_PERF == 1 ]] && ! command -v perf >/dev/null; then bench_install linux-perf; fi

# ---- the lessor binary --------------------------------------------------------------------------
if [[ -n ${LESSOR_BIN:-} ]]; then
    [[ -x $LESSOR_BIN ]] || lsr_die "LESSOR_BIN=$LESSOR_BIN is not executable"
    LESSOR=$LESSOR_BIN
else
    lsr_log "building lessor (release, scratch path $BENCH_SCRATCH)"
    build_log=$(mktemp /tmp/lessor-bench-build.XXXXXX)
    if ! (cd "$ROOT" && swift build -c release --scratch-path "$BENCH_SCRATCH" --product lessor) >"$build_log" 2>&1; then
        tail -30 "$build_log" >&2
        rm -f "$build_log"
        lsr_die "swift build failed"
    fi
    rm -f "$build_log"
    LESSOR=$BENCH_SCRATCH/release/lessor
fi

# ---- namespace, temp dir, cleanup ---------------------------------------------------------------
lsr_tmp_init
trap lsr_cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$BENCH_NS"
lsr_ns "$BENCH_NS" ip link set lo up
if [[ $F == 4 ]]; then
    lsr_ns "$BENCH_NS" ip addr add "$SRV/32" dev lo
    lsr_ns "$BENCH_NS" ip addr add "$RLY/32" dev lo
else
    lsr_ns "$BENCH_NS" ip -6 addr add "$SRV/128" dev lo nodad
    lsr_ns "$BENCH_NS" ip -6 addr add "$RLY/128" dev lo nodad
fi

CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID: "utime+stime stime" of the whole process (all threads), in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13, $13 }'; }
# child_ticks: cutime + cstime of this shell: the CPU of every child it has waited for (perfdhcp).
child_ticks() { sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'; }
# sys_ticks: "busy total" clock ticks of the whole machine, from /proc/stat.
sys_ticks() { awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6; exit }' /proc/stat; }

# bench_stop PID: stop a server we started and forget its PID (so cleanup never signals a reused PID).
bench_stop() {
    local pid=$1 i kept=()
    lsr_stop "$pid" TERM 10
    for i in "${LSR_PIDS[@]}"; do [[ $i == "$pid" ]] || kept+=("$i"); done
    LSR_PIDS=("${kept[@]}")
}

bench_listening() {
    lsr_alive "$1" || { lsr_log "server PID $1 exited"; return 2; }
    local sockets
    sockets=$(lsr_ns "$BENCH_NS" ss -Hlun "sport = :$PORT")
    [[ $sockets == *"$SRV:$PORT "* || $sockets == *"[$SRV]:$PORT "* ]]
}
bench_wait_listening() {   # PID LOGFILE
    local i rc
    for ((i = 0; i < 100; i++)); do
        rc=0; bench_listening "$1" || rc=$?
        [[ $rc == 0 ]] && return 0
        [[ $rc == 2 ]] && break
        sleep 0.1
    done
    tail -20 "$2" >&2
    lsr_die "server PID $1 is not listening on $SRV port $PORT"
}

# wait_quiet: wait (at most BENCH_QUIET_WAIT s) until the machine is under 10% busy over one second.
wait_quiet() {
    local start=$SECONDS b0 t0 b1 t1 pct=0
    (( BENCH_QUIET_WAIT > 0 )) || return 0
    while true; do
        read -r b0 t0 < <(sys_ticks); sleep 1; read -r b1 t1 < <(sys_ticks)
        pct=$(( t1 > t0 ? (b1 - b0) * 100 / (t1 - t0) : 0 ))
        (( pct < 10 )) && return 0
        if (( SECONDS - start >= BENCH_QUIET_WAIT )); then
            lsr_log "the machine is still ${pct}% busy with other work after ${BENCH_QUIET_WAIT}s; running anyway"
            return 0
        fi
    done
}

# ---- servers ------------------------------------------------------------------------------------
# server_start KIND DIR: a fresh server with an empty store; PID in SERVER_PID, log in SERVER_LOG.
SERVER_PID=""
SERVER_LOG=""
server_start() {
    local kind=$1 dir=$2
    rm -rf "$dir"; mkdir -p "$dir"
    case $kind in
        lessor-full | lessor-normal)
            {
                cat <<EOF
log_level: warning
store:
  provider: sqlite
  path: $dir/leases.sqlite
  synchronous: ${kind#lessor-}
control:
  enabled: false
EOF
                if [[ $F == 4 ]]; then
                    cat <<EOF
server4:
  listen:
    - address: $SRV
  subnets:
    - name: bench
      subnet: 198.18.0.0/16
      pools:
        - $POOL_FIRST-$POOL_LAST
      lease_time: 1h
      server_id: $SRV
      routers: [$RLY]
  plugins:
    - server_id
    - netmask
    - router
    - lease_time
    - range
EOF
                else
                    cat <<EOF
server6:
  listen:
    - address: $SRV
  server_duid_file: $dir/server-duid
  subnets:
    - name: bench
      prefix: 2001:db8::/64
      pools:
        - $POOL_FIRST-$POOL_LAST
      preferred_lifetime: 30m
      valid_lifetime: 1h
  plugins:
    - server_id
    - lease_time
    - range6
EOF
                fi
            } >"$dir/lessor.yaml"
            SERVER_LOG=$dir/serve.log
            lsr_bg "$SERVER_LOG" ip netns exec "$BENCH_NS" "$LESSOR" serve -c "$dir/lessor.yaml"
            ;;
        kea)
            if [[ $F == 4 ]]; then
                cat >"$dir/kea-dhcp4.conf" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "lo/$SRV" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/leases4.csv", "lfc-interval": 0 },
    "multi-threading": { "enable-multi-threading": false },
    "valid-lifetime": 3600, "renew-timer": 1800, "rebind-timer": 3150,
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/16",
                   "pools": [ { "pool": "$POOL_FIRST - $POOL_LAST" } ],
                   "option-data": [ { "name": "routers", "data": "$RLY" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                   "output_options": [ { "output": "$dir/kea4.log", "flush": true } ] } ]
} }
EOF
            else
                cat >"$dir/kea-dhcp6.conf" <<EOF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "lo/$SRV" ] },
    "lease-database": { "type": "memfile", "persist": true, "name": "$dir/leases6.csv", "lfc-interval": 0 },
    "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "6c6573736f72", "persist": false },
    "data-directory": "$dir",
    "multi-threading": { "enable-multi-threading": false },
    "preferred-lifetime": 1800, "valid-lifetime": 3600, "renew-timer": 900, "rebind-timer": 1440,
    "subnet6": [ { "id": 1, "subnet": "2001:db8::/64",
                   "pools": [ { "pool": "$POOL_FIRST - $POOL_LAST" } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "WARN",
                   "output_options": [ { "output": "$dir/kea6.log", "flush": true } ] } ]
} }
EOF
            fi
            SERVER_LOG=$dir/stdout.log
            # shellcheck disable=SC2046
            lsr_bg "$SERVER_LOG" ip netns exec "$BENCH_NS" env $(lsr_kea_env "$dir") "kea-dhcp$F" -c "$dir/kea-dhcp$F.conf"
            ;;
        *) lsr_die "unknown server $kind" ;;
    esac
    SERVER_PID=$LSR_LAST_PID
    bench_wait_listening "$SERVER_PID" "$SERVER_LOG"
}

# ---- perfdhcp output ----------------------------------------------------------------------------
# pd_stat LOG SECTION KEY: a value from "***Statistics for: SECTION***" (KEY like "sent packets").
pd_stat() {
    awk -v sec="***Statistics for: $2***" -v key="$3" '
        $0 == sec { on = 1; next }
        /^\*\*\*/ { on = 0 }
        on && index($0, key ":") == 1 { v = substr($0, length(key) + 2); sub(/^ +/, "", v); sub(/ .*/, "", v); print v; exit }
    ' "$1"
}
# pd_latency LOG SECTION: "p50 p99 max" in ms from the -x t timestamps of SECTION, or "- - -".
pd_latency() {
    awk -v sec="***Timestamps for packets: $2***" '
        $0 == sec { on = 1; next }
        /^\*\*\*/ || /^$/ { on = 0 }
        on && /^sent \/ received:/ { printf "%.3f\n", ($6 - $4) * 1000 }
    ' "$1" | sort -n | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "- - -"; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
            printf "%.2f %.2f %.2f\n", v[i50], v[i99], v[NR]
        }'
}

# ---- one run ------------------------------------------------------------------------------------
# Results, one row each, fields separated by |:
# server|workload|offered|done_per_s|drop_pct|do_avg|ra_avg|ra_p50|ra_p99|ra_max|cpu_us|exchanges|cpu_s|
# dora_acks|perfdhcp_cores|others_pct
ROWS=()
declare -A CPU_PER_LEASE=()   # "server|workload" -> µs per completed exchange

# run_workload SERVER WORKLOAD DIR: fresh server, one bounded perfdhcp run, one row.
run_workload() {
    local server=$1 workload=$2 dir=$3 rate secs renew=0 timestamps=1 args=() log rc=0 c0 c1
    case $workload in
        dora@* | sarr@*) rate=${workload#*@}; secs=$BENCH_SECONDS ;;
        renew@*) rate=${workload#renew@}; renew=$rate; secs=$BENCH_RENEW_SECONDS ;;
        sat@*) rate=${workload#sat@}; secs=$BENCH_SAT_SECONDS; timestamps=0 ;;
    esac
    args=(-"$F" -l "$RLY" -r "$rate" -p "$secs" -n $((rate * secs)) -R "$BENCH_CLIENTS" -W 200000)
    # DHCPv6: one relay level (Relay-Forward from $RLY, whose link-address selects the subnet), sent
    # from port 547, where the Relay-Reply comes back.
    if [[ $F == 6 ]]; then args+=(-A 1 -L 547); fi
    (( renew > 0 )) && args+=(-f "$renew")
    (( timestamps == 1 )) && args+=(-x t)
    log=$dir-perfdhcp.log

    # Write back what earlier runs left dirty, so it does not compete with this run's fsyncs.
    sync
    server_start "$server" "$dir"
    wait_quiet
    local pid=$SERVER_PID perf_pid=""
    if [[ $BENCH_PERF == 1 && $server == lessor-full && -z ${PERF_DONE:-} ]]; then
        PERF_DONE=1
        PERF_DATA=$LSR_TMP/perf.data
        # shellcheck disable=SC2086
        lsr_bg "$LSR_TMP/perf-record.log" perf record $BENCH_PERF_ARGS -o "$PERF_DATA" -p "$pid" -- sleep "$secs"
        perf_pid=$LSR_LAST_PID
        PERF_WORKLOAD="$server $workload"
    fi
    lsr_log "$server $workload: perfdhcp ${args[*]} $SRV"
    local k0 k1 s0 s1 t0 t1 ks0 ks1
    read -r s0 t0 < <(sys_ticks); k0=$(child_ticks); read -r c0 ks0 < <(cpu_ticks "$pid")
    timeout $((secs + 30)) ip netns exec "$BENCH_NS" perfdhcp "${args[@]}" "$SRV" >"$log" 2>&1 || rc=$?
    read -r c1 ks1 < <(cpu_ticks "$pid"); k1=$(child_ticks); read -r s1 t1 < <(sys_ticks)
    # perfdhcp's CPU in cores, and everything else the machine did meanwhile (other processes,
    # kernel threads) as a share of all CPUs: a busy machine makes every number here worse.
    local pd_cores others
    pd_cores=$(awk -v k=$((k1 - k0)) -v hz="$CLK_TCK" -v s="$secs" 'BEGIN { printf "%.2f", k / hz / (s + 0.2) }')
    others=$(awk -v b=$((s1 - s0 - (c1 - c0) - (k1 - k0))) -v t=$((t1 - t0)) 'BEGIN { if (t > 0) printf "%.0f", (b < 0 ? 0 : b) * 100 / t; else print "-" }')
    if [[ -n $perf_pid ]]; then wait "$perf_pid" 2>/dev/null || true; fi
    bench_stop "$pid"
    if [[ $rc != 0 && $rc != 3 ]]; then   # 3: some exchanges were not completed, reported below
        tail -20 "$log" >&2
        lsr_log "$server $workload: perfdhcp exited $rc; row skipped"
        return 0
    fi
    if [[ -s $SERVER_LOG ]] && (( $(wc -l <"$SERVER_LOG") > 5 )); then
        lsr_log "$server $workload: the server logged $(wc -l <"$SERVER_LOG") lines, e.g.: $(grep -v '^$' "$SERVER_LOG" | tail -1)"
    fi

    local do_sent ra_rcvd do_avg ra_avg sec="$SEC_SECOND" lat started completed drop cpu_us cpu_s
    do_sent=$(pd_stat "$log" "$SEC_FIRST" "sent packets")
    ra_rcvd=$(pd_stat "$log" "$SEC_SECOND" "received packets")
    do_avg=$(pd_stat "$log" "$SEC_FIRST" "avg delay")
    if (( renew > 0 )); then
        sec=$SEC_RENEW
        started=$(pd_stat "$log" "$sec" "sent packets")
        completed=$(pd_stat "$log" "$sec" "received packets")
    else
        started=$do_sent
        completed=$ra_rcvd
    fi
    ra_avg=$(pd_stat "$log" "$sec" "avg delay")
    local ra_max; ra_max=$(pd_stat "$log" "$sec" "max delay")
    if (( timestamps == 1 )); then lat=$(pd_latency "$log" "$sec"); else lat="- - -"; fi
    read -r p50 p99 _ <<<"$lat"
    drop=$(awk -v s="${started:-0}" -v d="${completed:-0}" 'BEGIN { if (s > 0) printf "%.2f", 100 * (s - d) / s; else print "-" }')
    # CPU per completed exchange: a DORA (ACK received) or a renewal (ACK received) counts one.
    local exchanges=$(( ${ra_rcvd:-0} + (renew > 0 ? ${completed:-0} : 0) ))
    cpu_s=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", t / hz }')
    cpu_us=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$exchanges" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
    local kernel_us
    kernel_us=$(awk -v t=$((ks1 - ks0)) -v hz="$CLK_TCK" -v n="$exchanges" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }')
    local per_s; per_s=$(awk -v d="${completed:-0}" -v s="$secs" 'BEGIN { printf "%.0f", d / s }')
    ROWS+=("$server|$workload|$rate|$per_s|$drop|${do_avg:--}|${ra_avg:--}|${p50:--}|${p99:--}|${ra_max:--}|$cpu_us|$exchanges|$cpu_s|$(( ${ra_rcvd:-0} ))|$pd_cores|$others|$kernel_us")
    CPU_PER_LEASE["$server|$workload"]=$cpu_us
}

# ---- the runs -----------------------------------------------------------------------------------
WORKLOADS=()
for r in $BENCH_RATES; do WORKLOADS+=("$WL@$r"); done
(( BENCH_RENEW_RATE > 0 )) && WORKLOADS+=("renew@$BENCH_RENEW_RATE")
(( BENCH_SAT_RATE > 0 )) && WORKLOADS+=("sat@$BENCH_SAT_RATE")

SERVERS=()
for s in $BENCH_SERVERS; do
    if [[ $s == kea ]] && ! command -v "kea-dhcp$F" >/dev/null; then
        echo "note: kea-dhcp$F is not installed: Kea skipped (BENCH_INSTALL_KEA=1 installs kea-dhcp$F-server)"
        continue
    fi
    SERVERS+=("$s")
done
KEA_VERSION=$("kea-dhcp$F" -v 2>/dev/null || echo "-")
START=$SECONDS
for s in "${SERVERS[@]}"; do
    for w in "${WORKLOADS[@]}"; do run_workload "$s" "$w" "$LSR_TMP/$s-$w"; done
done

# ---- report -------------------------------------------------------------------------------------
echo
RELAY_ARGS=""
if [[ $F == 6 ]]; then RELAY_ARGS=" -A 1 -L 547"; fi
echo "DHCPv$F benchmark: perfdhcp $(perfdhcp -v 2>&1 | awk 'NR == 1') in relay mode (relay $RLY) -> server $SRV, one namespace,"
echo "$(nproc) CPUs, $BENCH_CLIENTS clients, fresh store per run; lessor: $LESSOR; kea-dhcp$F: $KEA_VERSION"
echo "Each run: perfdhcp -$F -l $RLY -r RATE -p SECONDS -n RATE*SECONDS -R $BENCH_CLIENTS -W 200000$RELAY_ARGS [-x t] [-f RATE] $SRV"
echo
fmt='%-13s %-10s %8s %7s %6s %7s %7s %7s %7s %8s %9s %7s %6s %6s\n'
# shellcheck disable=SC2059
printf "$fmt" server workload offered/s done/s drop% "DO avg" "RA avg" "RA p50" "RA p99" "RA max" "CPU us/ex" "of sys" "pd cpu" "others"
# shellcheck disable=SC2059
printf "$fmt" "" "" "" "" "" ms ms ms ms ms "" "us/ex" cores "%" | sed 's/ *$//'
busy=0
for row in "${ROWS[@]}"; do
    IFS='|' read -r server workload rate per_s drop do_avg ra_avg p50 p99 ra_max cpu_us _ _ _ pd_cores others kernel_us <<<"$row"
    # shellcheck disable=SC2059
    printf "$fmt" "$server" "$workload" "$rate" "$per_s" "$drop" "$do_avg" "$ra_avg" "$p50" "$p99" "$ra_max" "$cpu_us" "$kernel_us" "$pd_cores" "$others"
    if [[ $others =~ ^[0-9]+$ ]] && (( others > 15 )); then busy=1; fi
done
echo
echo "dora@R / sarr@R: DORA (v4) or SARR (v6) at R/s offered; done/s = ACKs received / seconds; drop% = exchanges started without"
echo "  an ACK/REPLY; DO = DISCOVER->OFFER (v6: SOLICIT->ADVERTISE), RA = REQUEST->ACK (v6: REQUEST->REPLY)"
echo "  latency (p50/p99 from perfdhcp -x t timestamps)."
echo "renew@R: DORA/SARR at R/s plus renewals of acquired leases (v4: REQUEST with ciaddr; v6: RENEW) at R/s; offered,"
echo "  done/s, drop% and latency are the renewals'; CPU is per completed exchange, DORA or renewal
  (a server's cost per exchange falls as its load rises, so this is not a per-renewal price)."
echo "sat@R: offered R/s (perfdhcp itself tops out near 10,000 exchanges/s on 2 cores); no -x t, so"
echo "  no percentiles. CPU us/ex: server user+sys time (/proc/PID/stat) / completed exchanges; of sys:
  the part spent in the kernel (socket calls, wake-ups, fsync), which no server code avoids.
pd cpu: perfdhcp's CPU in cores; others: CPU used by anything else (other processes, kernel
  threads such as ksoftirqd carrying the packets at high rates) as % of all $(nproc) CPUs."
if (( busy )); then
    echo "WARNING: other work used over 15% of the machine during some runs: those rows are not comparable."
fi

HAVE_KEA=0
for s in "${SERVERS[@]}"; do if [[ $s == kea ]]; then HAVE_KEA=1; fi; done
if (( HAVE_KEA )); then
    echo
    echo "Lessor / Kea memfile, CPU per completed exchange at the same offered load (lower is better; target <= 0.5 for lessor-full):"
    for w in "${WORKLOADS[@]}"; do
        kea=${CPU_PER_LEASE["kea|$w"]:-}
        [[ -n $kea && $kea != - ]] || continue
        line=$(printf '  %-11s' "$w")
        for s in "${SERVERS[@]}"; do
            [[ $s == kea ]] && continue
            v=${CPU_PER_LEASE["$s|$w"]:-}
            [[ -n $v && $v != - ]] || continue
            line+=$(awk -v s="$s" -v a="$v" -v b="$kea" 'BEGIN { printf "  %s %.2fx", s, a / b }')
        done
        echo "$line"
    done
    echo "Lessor / Kea, completed exchanges per second:"
    for w in "${WORKLOADS[@]}"; do
        kea=""; for row in "${ROWS[@]}"; do IFS='|' read -r s ww _ ps _ <<<"$row"; if [[ $s == kea && $ww == "$w" ]]; then kea=$ps; fi; done
        [[ -n $kea && $kea != 0 ]] || continue
        line=$(printf '  %-11s' "$w")
        for row in "${ROWS[@]}"; do
            IFS='|' read -r s ww _ ps _ <<<"$row"
            [[ $s != kea && $ww == "$w" ]] || continue
            line+=$(awk -v s="$s" -v a="$ps" -v b="$kea" 'BEGIN { printf "  %s %.2fx", s, a / b }')
        done
        echo "$line"
    done
fi

if [[ -n ${PERF_DATA:-} && -s ${PERF_DATA:-} ]]; then
    echo
    echo "perf profile of $PERF_WORKLOAD (self time, top 25 symbols; data kept in the temp dir only with BENCH_KEEP_TMP):"
    perf report -i "$PERF_DATA" --no-children --sort symbol --stdio -g none 2>/dev/null |
        awk '/^ +[0-9]/ && n++ < 25 { sub(/ +- +- *$/, ""); sub(/ +$/, ""); print }' 
fi
echo
echo "total time: $((SECONDS - START)) s"
exit 0
