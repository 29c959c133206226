#!/usr/bin/env bash
# The registry's benchmarks (takedown of 100,000 domains, snapshot of 1,000,000 entries,
# propagation to 100 subscribers, serverhold import of 1,000,000 domains), against the embedded MariaDB unless SERVERHOLD_TEST_DB_URL is
# set. Each writes bench/results/NAME.json; then bench/RESULTS.md is regenerated.
# Usage: bench/registry.sh [takedown100k|snapshot1m|propagation100Subscribers|import1m ...]
# IMPORT_RUNS=N runs the import benchmark N times (default 1) and records the median.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bin/jdk.sh"
cd "$root"
mvn -B -q -DskipTests install -pl registry-service -am
tests="RegistryBenchmarks,ImportBenchmark"
if [ $# -gt 0 ]; then
  registry=(); import=()
  for m in "$@"; do if [ "$m" = import1m ]; then import+=(ImportBenchmark); else registry+=("$m"); fi; done
  tests="${import[*]:-}"
  if [ ${#registry[@]} -gt 0 ]; then tests="RegistryBenchmarks#$(IFS=+; echo "${registry[*]}")${tests:+,$tests}"; fi
fi
mvn -B test -pl registry-service -Dtest="$tests" -Dsurefire.excludedGroups= -Dgroups=benchmark \
  -Dimport.runs="${IMPORT_RUNS:-1}" \
  -Dsurefire.failIfNoSpecifiedTests=false | grep -E '^BENCH|takedown of|import of|Tests run:|ERROR' || true
python3 bench/summarize.py
