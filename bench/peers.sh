#!/usr/bin/env bash
# Issue 6: serverhold's gateway against Unbound + RPZ and PowerDNS Recursor + RPZ, side by side in
# one run on this machine, with the same policy, the same query files and the same dnsperf settings.
#
#   bench/peers.sh            (as root on Debian: installs unbound, pdns-recursor, bind9, dnsperf, dig)
#
# The world (bench/peers/world.py): 1,000,000 filed domains (one holder with 100,000 of them),
# 50,000 registered but unfiled, 10,000 held (registrant unverified), and unregistered names.
# serverhold gets it through `serverhold import` (timed: import_1m_seconds); the peers get it as an
# RPZ zone (`*.cn CNAME .` plus two passthru records per filed domain: 2,000,001 records).
# Behind every system: the same authoritative server for cn. (BIND, on loopback). The peers
# recurse to it themselves; the gateway forwards to an Unbound without RPZ in front of it, as an
# operator would deploy it.
#
# Rows, each system started alone with nothing else under load:
#   start        from exec to the first policy answer (a denied name gets NXDOMAIN); serverhold
#                starts from its persisted policy file
#   denied/allowed/mix qps   dnsperf -l DURATION -c CLIENTS -T THREADS, RUNS times interleaved,
#                median; allowed names come from a warm cache (one pass over the file first)
#   rss          VmRSS after the runs
# Change visible (under a dnsperf mix load with per-second statistics):
#   serverhold   takedowns and lost filings by gRPC, from the registry's reply to the first
#                NXDOMAIN at the gateway (bench/probe.sh); then the 100,000-domain takedown
#   peer         Unbound fed by NOTIFY + IXFR from the BIND primary, which takes each change as a
#                dynamic update (RFC 2136), from the update's reply to the first NXDOMAIN
# Results: bench/results/peers.json (+ bench/RESULTS.md), and a table on stdout.
#
# Environment: WORK (default /var/tmp/serverhold-peers; the world and the imported registry are
# kept there and reused by the next run, FRESH=1 starts over), RUNS (3), DURATION (20 s),
# CLIENTS (8), THREADS (2), SAMPLES (20 per kind of change), INTERVAL_MS (1500), CHANGE_QPS (50000),
# START_RUNS (3),
# GATEWAY_JAVA_OPTS (see below), FILED (1000000), SYSTEMS ("unbound pdns serverhold"),
# CHANGES (1; 0 skips the change-visible part).
# Everything started here is stopped on exit, failure or Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bin/jdk.sh"
here="$root/bench/peers"
WORK=${WORK:-/var/tmp/serverhold-peers}
RUNS=${RUNS:-3}
DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
SAMPLES=${SAMPLES:-20}
INTERVAL_MS=${INTERVAL_MS:-1500}
CHANGE_QPS=${CHANGE_QPS:-50000}
START_RUNS=${START_RUNS:-3}
# The gateway's JVM as an operator would size it: heap for two copies of the policy (a resync
# builds the new one beside the old, ~40 bytes a name) plus the answer cache (~350 bytes an
# answer), the serial collector (no collector threads or remembered sets on 2 cores), and a
# class-data archive written by the first start (AppCDS) so later starts load classes mapped.
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-"-Xmx160m -XX:+UseSerialGC -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$WORK/gateway/classes.jsa"}
FILED=${FILED:-1000000}
SYSTEMS=${SYSTEMS:-"unbound pdns serverhold"}
# Loopback ports, all fixed: named (cn. + the RPZ primary), Unbound without RPZ (the gateway's
# upstream), Unbound + RPZ, PowerDNS Recursor + RPZ, the registry's gRPC, the gateway, its metrics.
P_NAMED=15301 P_PLAIN=15302 P_UNBOUND=15310 P_PDNS=15320 P_GRPC=15330 P_GATEWAY=15340 P_GW_METRICS=15341

# A server left over from an earlier run would answer in place of the one started here.
for port in $P_NAMED $P_PLAIN $P_UNBOUND $P_PDNS $P_GRPC $P_GATEWAY $P_GW_METRICS; do
  if ss -Hlnu "sport = :$port" | grep -q . || ss -Hlnt "sport = :$port" | grep -q .; then
    echo "port $port is in use (a server from an earlier run?): $(ss -Hlntup "sport = :$port" | head -1)" >&2
    exit 1
  fi
done

need=()
command -v unbound >/dev/null || need+=(unbound)
command -v pdns_recursor >/dev/null || need+=(pdns-recursor)
command -v named >/dev/null || need+=(bind9)
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v dig >/dev/null || need+=(bind9-dnsutils)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} from Debian's packages..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi

if [ "${FRESH:-0}" = 1 ]; then rm -rf "$WORK"; fi
mkdir -p "$WORK"/{named,unbound-plain,unbound-rpz,pdns,gateway,out}
out="$WORK/out"
rm -f "$out"/*
registry_pid=
reg_data="$WORK/registry"
stop_registry() {
  if [ -n "$registry_pid" ]; then stop_pid "$registry_pid"; registry_pid=; fi
  if [ -f "$reg_data/mariadb.pid" ]; then
    local db
    db=$(cat "$reg_data/mariadb.pid" 2>/dev/null || true)
    [ -n "$db" ] && stop_pid "$db"
  fi
}
pids=()
cleanup() {
  local rc=$?
  set +e
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  stop_registry
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$p" 2>/dev/null
  done
  [ $rc -ne 0 ] && echo "failed; logs and outputs in $WORK" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_pid() { # stops one process started here
  local p=$1
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
now() { date +%s.%N; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
first_target() { head -1 "$WORK/world/targets.txt"; }

# ---------------------------------------------------------------- the world
world="$WORK/world"
if [ ! -f "$world/world.json" ] || [ "$(python3 -c "import json;print(json.load(open('$world/world.json'))['filed'])")" != "$FILED" ]; then
  rm -rf "$world" "$WORK/registry"
  echo "generating the world ($FILED filed domains)..." >&2
  python3 "$here/world.py" "$world" --filed "$FILED" --big $((FILED / 10))
fi
denied_name=$(sed -n '1s/ A$//p' "$world/denied.txt")
allowed_name=$(sed -n '1s/ A$//p' "$world/allowed.txt")

# ---------------------------------------------------------------- authoritative cn. + RPZ primary
cp "$world/cn.zone" "$WORK/named/cn.zone"
cp "$world/rpz.zone" "$WORK/named/rpz.zone"
rm -f "$WORK/named/"*.jnl
cat >"$WORK/named/named.conf" <<EOF
options {
  directory "$WORK/named";
  pid-file "$WORK/named/named.pid";
  listen-on port $P_NAMED { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify explicit;
  allow-transfer { 127.0.0.1; };
  // The peer at its best: BIND's defaults hold a NOTIFY back up to 5 s (notify-delay) and pace
  // them on a 500 ms tick (notify-rate 20), which alone made changes take 0.5-5 s to arrive.
  notify-delay 0;
  notify-rate 10000;
  notify-source 127.0.0.1;
  transfer-source 127.0.0.1;
};
controls { };
zone "cn" { type primary; file "cn.zone"; };
zone "rpz.local" {
  type primary; file "rpz.zone"; allow-update { 127.0.0.1; };
  also-notify { 127.0.0.1 port $P_UNBOUND; };
};
EOF
echo "starting named (authoritative cn. and the RPZ primary, $(($(wc -l <"$world/rpz.zone") - 5)) records)..." >&2
named -g -c "$WORK/named/named.conf" >"$WORK/named/named.log" 2>&1 &
pids+=($!)
until [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p $P_NAMED rpz.local SOA 2>/dev/null | wc -l)" = 1 ]; do
  kill -0 "${pids[-1]}" 2>/dev/null || { tail -20 "$WORK/named/named.log" >&2; exit 1; }
  sleep 1
done

unbound_conf() { # DIR PORT WITH_RPZ
  cat <<EOF
server:
  interface: 127.0.0.1@$2
  username: ""
  chroot: ""
  directory: "$1"
  pidfile: "$1/unbound.pid"
  use-syslog: no
  logfile: "$1/unbound.log"
  verbosity: 1
  num-threads: 2
  so-reuseport: yes
  msg-cache-size: 256m
  rrset-cache-size: 512m
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  module-config: "$([ "$3" = 1 ] && echo "respip validator iterator" || echo "validator iterator")"
stub-zone:
  name: "cn."
  stub-addr: 127.0.0.1@$P_NAMED
EOF
  if [ "$3" = 1 ]; then
    cat <<EOF
rpz:
  name: "rpz.local."
  zonefile: "$1/rpz.zone"
  primary: 127.0.0.1@$P_NAMED
  allow-notify: 127.0.0.1
EOF
  fi
}
unbound_conf "$WORK/unbound-plain" $P_PLAIN 0 >"$WORK/unbound-plain/unbound.conf"
unbound -d -c "$WORK/unbound-plain/unbound.conf" >/dev/null 2>&1 &
pids+=($!)
python3 "$here/wait_answer.py" $P_PLAIN "$allowed_name" 0 30 >/dev/null

# ---------------------------------------------------------------- the registry
shold="$root/bin/serverhold" # exec()s java: its PID is the JVM's
jar="$root/registry-service/target/serverhold.jar"
"$shold" --version >/dev/null # builds the jar first if it is missing or older than the sources
start_registry() {
  # --permanent-after: the probes take the same holders down again in every run of this script;
  # the default (the third takedown blacklists a holder for good) would leave them unliftable.
  "$shold" serve --no-dns --no-demo --data-dir "$reg_data" --port $P_GRPC --registry-metrics off \
    --permanent-after 1000000 \
    >>"$WORK/registry.log" 2>&1 &
  registry_pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$P_GRPC") 2>/dev/null; do
    kill -0 "$registry_pid" 2>/dev/null || { tail -30 "$WORK/registry.log" >&2; exit 1; }
    sleep 1
  done
}
start_registry
import_seconds=
if [ ! -f "$reg_data/imported" ]; then
  "$shold" admin registrar create reg-a --name 'Registrar A' --data-dir "$reg_data" >&2
  echo "importing the world into the registry..." >&2
  t0=$(now)
  "$shold" import --data-dir "$reg_data" --holders "$world/holders.csv" --filings "$world/filings.csv" \
    --domains "$world/domains.csv" --rejects "$WORK/import-rejects.csv" --no-progress --json >"$out/import.json"
  import_seconds=$(python3 -c "print(round($(now) - $t0, 1))")
  echo "$import_seconds" >"$reg_data/imported"
  echo "import: $import_seconds s" >&2
fi
token() { # ROLE -> a fresh token file
  local f="$WORK/$1.token"
  "$shold" admin credential create --principal "peers-bench-$1-$$" --role "$1" --data-dir "$reg_data" --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$f"
  chmod 600 "$f"
  echo "$f"
}
resolver_token=$(token RESOLVER)
regulator_token=$(token REGULATOR)

cat >"$WORK/gateway/resolver.properties" <<EOF
listen=127.0.0.1:$P_GATEWAY
upstreams=127.0.0.1:$P_PLAIN
cache.max-entries=200000
metrics.listen=127.0.0.1:$P_GW_METRICS
registry.target=127.0.0.1:$P_GRPC
registry.token-file=$resolver_token
registry.tls=false
resolver.id=peers-bench
policy.file=$WORK/gateway/policy.bin
policy.fail-mode=closed
policy.zones=cn, com.cn
denial.log=$WORK/gateway/denials.log
EOF

# ---------------------------------------------------------------- systems
declare -A START_PID
start_system() { # NAME [FILE]: starts it; the seconds until its first policy answer go to FILE
  local t0
  case $1 in
    unbound)
      unbound_conf "$WORK/unbound-rpz" $P_UNBOUND 1 >"$WORK/unbound-rpz/unbound.conf"
      cp "$world/rpz.zone" "$WORK/unbound-rpz/rpz.zone"
      t0=$(now)
      unbound -d -c "$WORK/unbound-rpz/unbound.conf" >/dev/null 2>&1 &
      START_PID[$1]=$!; pids+=($!)
      python3 "$here/wait_answer.py" $P_UNBOUND "$denied_name" 3 300 "$t0" >"${2:-/dev/null}" ;;
    pdns)
      cat >"$WORK/pdns/rpz.lua" <<EOF
rpzFile("$world/rpz.zone", {policyName="rpz.local"})
EOF
      cat >"$WORK/pdns/recursor.conf" <<EOF
local-address=127.0.0.1
local-port=$P_PDNS
threads=2
pdns-distributes-queries=no
reuseport=yes
forward-zones=cn=127.0.0.1:$P_NAMED
lua-config-file=$WORK/pdns/rpz.lua
socket-dir=$WORK/pdns
dnssec=off
max-cache-entries=2000000
disable-syslog=yes
allow-from=127.0.0.0/8
EOF
      t0=$(now)
      pdns_recursor --config-dir="$WORK/pdns" --daemon=no >"$WORK/pdns/pdns.log" 2>&1 &
      START_PID[$1]=$!; pids+=($!)
      python3 "$here/wait_answer.py" $P_PDNS "$denied_name" 3 300 "$t0" >"${2:-/dev/null}" ;;
    serverhold)
      t0=$(now)
      # The JVM itself, as a service unit runs it (bin/serverhold would first look for changed sources).
      # shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS is a list of options
      "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $GATEWAY_JAVA_OPTS -jar "$jar" resolver run \
        --config "$WORK/gateway/resolver.properties" >>"$WORK/gateway/gateway.log" 2>&1 &
      START_PID[$1]=$!; pids+=($!)
      python3 "$here/wait_answer.py" $P_GATEWAY "$denied_name" 3 300 "$t0" >"${2:-/dev/null}" ;;
  esac
}
port_of() { case $1 in unbound) echo $P_UNBOUND ;; pdns) echo $P_PDNS ;; serverhold) echo $P_GATEWAY ;; esac; }

# serverhold's first start takes the snapshot from the registry and persists it (and writes the
# class-data archive as it exits); the measured starts below come from that file (the registry
# stays up, as in an ordinary restart).
if [ ! -f "$WORK/gateway/policy.bin" ] || [ -n "$import_seconds" ] || [ ! -f "$WORK/gateway/classes.jsa" ]; then
  [ -n "$import_seconds" ] && rm -f "$WORK/gateway/policy.bin"
  echo "first gateway start: snapshot from the registry..." >&2
  start_system serverhold
  python3 "$here/wait_answer.py" $P_GATEWAY "$allowed_name" 0 60 >/dev/null
  for _ in $(seq 1 100); do [ -f "$WORK/gateway/policy.bin" ] && break; sleep 0.2; done
  sleep 2
  stop_pid "${START_PID[serverhold]}"
fi

perf() { # SYSTEM MIX RUN
  dnsperf -s 127.0.0.1 -p "$(port_of "$1")" -d "$world/$2.txt" -l "$DURATION" -c "$CLIENTS" -T "$THREADS" \
    >"$out/$1.$2.$3.out" 2>&1
  echo "  $1 $2 run $3: $(sed -n 's/^ *Queries per second: *//p' "$out/$1.$2.$3.out") qps" >&2
}
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)" >"$out/load"
for s in $SYSTEMS; do
  echo "== $s" >&2
  # START_RUNS starts (median recorded); the last one stays up for the runs.
  for k in $(seq 1 "$START_RUNS"); do
    start_system "$s" "$out/$s.start.$k"
    [ "$k" -lt "$START_RUNS" ] && stop_pid "${START_PID[$s]}"
  done
  echo "  start: $(cat "$out/$s".start.*) s" >&2
  dnsperf -s 127.0.0.1 -p "$(port_of "$s")" -d "$world/allowed.txt" -n 1 -c "$CLIENTS" -T "$THREADS" -t 10 \
    >"$out/$s.warm.out" 2>&1
  for run in $(seq 1 "$RUNS"); do
    for mix in denied allowed mix; do perf "$s" "$mix" "$run"; done
  done
  rss_kb "${START_PID[$s]}" >"$out/$s.rss_kb"
  echo "  rss: $(($(cat "$out/$s.rss_kb") / 1024)) MiB" >&2
  [ "$s" = serverhold ] && curl -s "http://127.0.0.1:$P_GW_METRICS/metrics" >"$out/serverhold.metrics" || true
  stop_pid "${START_PID[$s]}"
done
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load"

# ---------------------------------------------------------------- change visible, under load
# A dnsperf mix at CHANGE_QPS (an offered rate both systems sustain, so that a drop in the answer
# rate is a stall, not CPU taken by the change's other work on these 2 cores: the registry's
# transaction, BIND's update and transfer) with per-second statistics runs throughout: 10 s without changes
# (the baseline rate), then the changes, SAMPLES of each kind, INTERVAL_MS apart; each change is
# undone (lift, filing restored, passthru records back) before the next. Line-buffered so that an
# interrupted dnsperf has written every statistics line.
load_start() { # SYSTEM -> pid of a dnsperf mix with per-second statistics
  stdbuf -oL dnsperf -s 127.0.0.1 -p "$(port_of "$1")" -d "$world/mix.txt" -l 3600 -c "$CLIENTS" -T "$THREADS" -S 1 \
    -Q "$CHANGE_QPS" \
    >"$out/$1.change-load.out" 2>&1 &
  echo $!
}
load_stop() { kill -INT "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }
probe() { PROBE_NO_BUILD=1 "$root/bench/probe.sh" "$@" >&2; }
if [ "${CHANGES:-1}" = 1 ]; then
"$root/bench/probe.sh" --help >/dev/null 2>&1 || true # builds the probe now, not under load
tail -n +$((SAMPLES + 1)) "$world/targets.txt" | head -n "$SAMPLES" >"$WORK/filing-targets.txt"
# One unmeasured change per system first: the first change after a start runs cold code on both
# sides (the feed's and the gateway's apply path not yet compiled; Unbound's first transfer).
tail -n 1 "$world/targets.txt" >"$WORK/warmup-target.txt"

echo "== change visible: serverhold (takedowns, lost filings, one $((FILED / 10))-domain takedown)" >&2
start_system serverhold
dnsperf -s 127.0.0.1 -p $P_GATEWAY -d "$world/allowed.txt" -n 1 -c "$CLIENTS" -T "$THREADS" >/dev/null 2>&1
lp=$(load_start serverhold)
pids+=("$lp")
sleep 10
probe --via takedown --registry 127.0.0.1:$P_GRPC --token-file "$regulator_token" --dns 127.0.0.1:$P_GATEWAY \
  --names-file "$WORK/warmup-target.txt" --samples 1 --out "$out/serverhold.warmup.json"
probe --via takedown --registry 127.0.0.1:$P_GRPC --token-file "$regulator_token" --dns 127.0.0.1:$P_GATEWAY \
  --names-file "$world/targets.txt" --samples "$SAMPLES" --interval-ms "$INTERVAL_MS" --out "$out/serverhold.takedown.json"
probe --via revoke-filing --registry 127.0.0.1:$P_GRPC --token-file "$regulator_token" --dns 127.0.0.1:$P_GATEWAY \
  --names-file "$WORK/filing-targets.txt" --samples "$SAMPLES" --interval-ms "$INTERVAL_MS" \
  --out "$out/serverhold.filing.json"
probe --via takedown --registry 127.0.0.1:$P_GRPC --token-file "$regulator_token" --dns 127.0.0.1:$P_GATEWAY \
  --names-file "$world/big-holder.txt" --samples 1 --timeout-ms 120000 --out "$out/serverhold.big.json"
sleep 2
load_stop "$lp"
stop_pid "${START_PID[serverhold]}"

if [[ " $SYSTEMS " == *" unbound "* ]]; then
  echo "== change visible: Unbound + RPZ fed by NOTIFY + IXFR from BIND (dynamic updates)" >&2
  start_system unbound
  dnsperf -s 127.0.0.1 -p $P_UNBOUND -d "$world/allowed.txt" -n 1 -c "$CLIENTS" -T "$THREADS" >/dev/null 2>&1
  lp=$(load_start unbound)
  pids+=("$lp")
  sleep 10
  probe --via rfc2136 --primary 127.0.0.1:$P_NAMED --zone rpz.local. --dns 127.0.0.1:$P_UNBOUND \
    --names-file "$WORK/warmup-target.txt" --samples 1 --out "$out/unbound.warmup.json"
  probe --via rfc2136 --primary 127.0.0.1:$P_NAMED --zone rpz.local. --dns 127.0.0.1:$P_UNBOUND \
    --names-file "$world/targets.txt" --samples "$SAMPLES" --interval-ms "$INTERVAL_MS" --out "$out/unbound.ixfr.json"
  sleep 2
  load_stop "$lp"
  stop_pid "${START_PID[unbound]}"
fi
fi

commit=$(git -C "$root" rev-parse --short HEAD)
python3 "$here/report.py" "$WORK" "$root/bench/results/peers.json" --commit "$commit" --runs "$RUNS" \
  --duration "$DURATION" --clients "$CLIENTS" --threads "$THREADS" --systems "$SYSTEMS" --start-runs "$START_RUNS" \
  --import-seconds "$(cat "$reg_data/imported")" --import-fresh "${import_seconds:+1}" --change-qps "$CHANGE_QPS" --gateway-opts "$GATEWAY_JAVA_OPTS"
python3 "$root/bench/summarize.py" >/dev/null
