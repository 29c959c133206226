#!/usr/bin/env bash
# The registry's benchmarks (takedown of 100,000 domains, snapshot of 1,000,000 entries,
# propagation to 100 subscribers), against the embedded MariaDB unless SERVERHOLD_TEST_DB_URL is
# set. Each writes bench/results/NAME.json; then bench/RESULTS.md is regenerated.
# Usage: bench/registry.sh [takedown100k|snapshot1m|propagation100Subscribers ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bin/jdk.sh"
cd "$root"
mvn -B -q -DskipTests install -pl registry-service -am
tests="RegistryBenchmarks"
if [ $# -gt 0 ]; then tests="RegistryBenchmarks#$(IFS=+; echo "$*")"; fi
mvn -B test -pl registry-service -Dtest="$tests" -Dsurefire.excludedGroups= -Dgroups=benchmark \
  -Dsurefire.failIfNoSpecifiedTests=false | grep -E '^BENCH|takedown of|Tests run:|ERROR' || true
python3 bench/summarize.py
