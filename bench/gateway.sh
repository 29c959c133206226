#!/usr/bin/env bash
# Whole-service benchmark of the DNS gateway under dnsperf: starts `serverhold serve` on a fresh
# data dir (embedded MariaDB, demo domains, built-in demo zone server as the upstream), then
# measures queries per second for three query mixes and writes bench/results/gateway.json:
#   gateway_denied_qps   100,000 distinct unregistered names under cn. + the demo's denied names
#                        (answered by the gateway itself from the policy)
#   gateway_allowed_qps  the demo's resolving names, repeated (answered from the answer cache)
#   gateway_mix_qps      90% allowed / 10% denied, interleaved
# Every mix runs with the same dnsperf settings, RUNS times (interleaved, so a burst of load on
# this shared machine hits all mixes alike); the median is recorded.
# Usage: bench/gateway.sh   Environment: RUNS (3), DURATION seconds per run (20), CLIENTS (8),
#   THREADS (2), KEEP=1 keeps the work dir, GATEWAY_JFR=FILE records a JFR profile of the server.
# Everything started here is stopped by PID on exit, failure or Ctrl-C (the serve JVM and the
# embedded MariaDB it runs, whose PID is in the data dir).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bin/jdk.sh"
RUNS=${RUNS:-3}
DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
for tool in dnsperf dig python3; do
  command -v "$tool" >/dev/null || { echo "gateway.sh needs $tool (apt-get install -y dnsperf bind9-dnsutils)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/serverhold-gateway.XXXXXX")
data="$work/data"
serve_pid=
cleanup() {
  local rc=$?
  set +e
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid"
    for _ in $(seq 1 100); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$serve_pid" 2>/dev/null && kill -KILL "$serve_pid"
  fi
  if [ -f "$data/mariadb.pid" ]; then
    db_pid=$(cat "$data/mariadb.pid" 2>/dev/null)
    if [ -n "$db_pid" ] && kill -0 "$db_pid" 2>/dev/null; then
      kill -TERM "$db_pid"
      for _ in $(seq 1 50); do kill -0 "$db_pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$db_pid" 2>/dev/null && kill -KILL "$db_pid"
    fi
  fi
  if [ "${KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    echo "work dir kept: $work (serve log: $work/serve.log)" >&2
  else
    rm -rf "$work"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r dns_port metrics_port grpc_port < <(python3 - <<'EOF'
import socket
socks = []
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
EOF
)

# Build first (bin/serverhold would build on first use too, but then the build would count against
# the start-up timeout below).
jar="$root/registry-service/target/serverhold.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$root/pom.xml" "$root"/*/pom.xml "$root/migrations" "$root"/*/src/main -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  echo "building serverhold..." >&2
  (cd "$root" && mvn -B -q -DskipTests install) >&2
fi

if [ -n "${GATEWAY_JFR:-}" ]; then
  export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-} -XX:StartFlightRecording=filename=$GATEWAY_JFR,settings=profile,dumponexit=true"
fi
mkdir -p "$data"
"$root/bin/serverhold" serve --data-dir "$data" --port "$grpc_port" --dns "127.0.0.1:$dns_port" \
  --metrics "127.0.0.1:$metrics_port" >"$work/serve.log" 2>&1 &
serve_pid=$!
echo "serve (pid $serve_pid): DNS on 127.0.0.1:$dns_port, work dir $work" >&2

# Ready when the demo's filed name resolves through the gateway (policy synced, upstream up).
deadline=$((SECONDS + 180))
until [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$dns_port" example-filed.cn A 2>/dev/null)" = 192.0.2.10 ]; do
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    echo "serve exited during start-up:" >&2; tail -30 "$work/serve.log" >&2; exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "gateway not answering example-filed.cn after 180 s:" >&2; tail -30 "$work/serve.log" >&2; exit 1
  fi
  sleep 1
done
echo "gateway ready after ${SECONDS}s" >&2

# Query files.
python3 - "$work" <<'EOF'
import sys, pathlib
w = pathlib.Path(sys.argv[1])
allowed = ["example-filed.cn A", "www.example-filed.cn A", "example.com A"]
demo_denied = ["example-unfiled.cn A", "alias.example-filed.cn A", "casino-demo.cn A", "casino-demo2.cn A",
               "nobody-registered-this.cn A", "bad.example.com A", "www.bad.example.com A"]
denied = [f"n{i}.cn A" for i in range(100_000)]
# The demo's denied names spread through the unregistered ones.
for k, d in enumerate(demo_denied):
    denied.insert(k * 14_000 + 7_000, d)
(w / "denied.txt").write_text("\n".join(denied) + "\n")
(w / "allowed.txt").write_text("\n".join(allowed * 33_334) + "\n")
mix = [denied[i] if i % 10 == 9 else allowed[i % 3] for i in range(100_000)]
(w / "mix.txt").write_text("\n".join(mix) + "\n")
EOF
for n in example-filed.cn www.example-filed.cn example.com; do
  dig +short @127.0.0.1 -p "$dns_port" "$n" A >/dev/null
done
# Warm-up: JIT and cache, not recorded.
dnsperf -s 127.0.0.1 -p "$dns_port" -d "$work/mix.txt" -l 5 -c "$CLIENTS" -T "$THREADS" >"$work/warmup.out" 2>&1 || true

load_start=$(cut -d' ' -f1 /proc/loadavg)
for run in $(seq 1 "$RUNS"); do
  for mix in denied allowed mix; do
    out="$work/$mix.$run.out"
    dnsperf -s 127.0.0.1 -p "$dns_port" -d "$work/$mix.txt" -l "$DURATION" -c "$CLIENTS" -T "$THREADS" >"$out" 2>&1
    qps=$(sed -n 's/^ *Queries per second: *//p' "$out")
    lost=$(sed -n 's/^ *Queries lost: *//p' "$out")
    echo "run $run $mix: $qps qps (lost $lost)" >&2
  done
done
load_end=$(cut -d' ' -f1 /proc/loadavg)
kill -0 "$serve_pid" 2>/dev/null || { echo "serve died during the benchmark" >&2; exit 1; }

commit=$(git -C "$root" rev-parse --short HEAD)
python3 - "$work" "$root/bench/results/gateway.json" "$RUNS" "$DURATION" "$CLIENTS" "$THREADS" "$commit" \
  "$load_start" "$load_end" "$(nproc)" "$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\(.*\)".*/\1/p' | head -1)" \
  "$(dnsperf -h 2>&1 | sed -n 's/^DNS Performance Testing Tool *//p;s/^Version *//p' | head -1)" <<'EOF'
import sys, json, pathlib, re, statistics, datetime
w, out, runs, dur, clients, threads, commit, l0, l1, cores, jdk, dnsperf_version = sys.argv[1:]
w = pathlib.Path(w)
metrics = {"denied": "gateway_denied_qps", "allowed": "gateway_allowed_qps", "mix": "gateway_mix_qps"}
what = {"denied": "100,000 distinct unregistered names under cn. + the 7 demo denied names (denied locally from the policy)",
        "allowed": "the demo's 3 resolving names repeated (answer cache hits, policy re-checked on the chain)",
        "mix": "90% allowed (cached) / 10% denied, interleaved"}
rows, table = [], []
for mix, metric in metrics.items():
    qps, lost, sent = [], [], []
    for r in range(1, int(runs) + 1):
        text = (w / f"{mix}.{r}.out").read_text()
        qps.append(float(re.search(r"Queries per second:\s+([\d.]+)", text).group(1)))
        m = re.search(r"Queries lost:\s+(\d+)", text)
        lost.append(int(m.group(1)) if m else -1)
        sent.append(int(re.search(r"Queries sent:\s+(\d+)", text).group(1)))
    med = statistics.median(qps)
    notes = (f"{what[mix]}; dnsperf{(' ' + dnsperf_version) if dnsperf_version else ''} -l {dur} -c {clients} -T {threads} "
             f"over UDP on loopback, dnsperf on the same machine; median of {runs} runs "
             f"({', '.join(f'{q:.0f}' for q in qps)} qps; lost {', '.join(map(str, lost))} of {', '.join(map(str, sent))}); "
             f"serverhold serve with embedded MariaDB and the built-in demo upstream; {cores} cores, JDK {jdk}; "
             f"1-min load average {l0} at start, {l1} at end")
    rows.append({"metric": metric, "value": round(med, 1), "unit": "qps", "goal": None, "peer": None, "ratio": None,
                 "commit": commit, "date": datetime.date.today().isoformat(), "notes": notes})
    table.append((metric, med, min(qps), max(qps), sum(lost)))
pathlib.Path(out).write_text("[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n")
print(f"{'metric':<22} {'median qps':>12} {'min':>10} {'max':>10} {'lost':>6}")
for m, med, lo, hi, lost in table:
    print(f"{m:<22} {med:>12.0f} {lo:>10.0f} {hi:>10.0f} {lost:>6}")
print(f"({runs} runs x {dur} s, dnsperf -c {clients} -T {threads}; load {l0} -> {l1}); wrote {out}")
EOF
