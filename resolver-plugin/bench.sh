#!/usr/bin/env bash
# Runs the PolicyEngine benchmark (JMH) and writes ../bench/results/policy_engine.json.
# Usage: resolver-plugin/bench.sh [--names N] [--forks N]   (default 10,000,000 names, 3 JMH forks; ~4 GB heap per JVM)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$root/bin/jdk.sh"
cd "$here"
mvn -B -q -DskipTests test-compile
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
commit=$(git -C "$root" rev-parse --short HEAD)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xms4g -Xmx4g \
  -cp "target/classes:target/test-classes:$(cat "$cp_file")" \
  org.serverhold.resolver.bench.PolicyEngineBench --commit "$commit" --out "$root/bench/results/policy_engine.json" "$@"
