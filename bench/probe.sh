#!/usr/bin/env bash
# Issue 6's change-visible probe (registry-service's test class ChangeVisibleProbe): the time from a
# change being acknowledged to the first NXDOMAIN at a resolver, and from its undoing to the first
# resolving answer again; one line per sample on stdout, percentiles in --out JSON.
#
# Usage: bench/probe.sh --via takedown|revoke-filing|rfc2136 --dns HOST:PORT --names-file F
#          [--samples 10] [--interval-ms 2000] [--timeout-ms 30000] [--out F.json] MODE OPTIONS
#   serverhold (takedown, revoke-filing): --registry HOST:PORT --token-file F
#     The token must be a REGULATOR's (bureau staff): only a regulator may take down, and though a
#     FILING_AUTHORITY may revoke filings, only a regulator reads the sponsor's identity number in
#     full, which re-filing the filing as it was needs. Make one while serve runs, with serve's data dir:
#       bin/serverhold admin credential create --data-dir DIR --principal bench-probe --role REGULATOR --json \
#         | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' > token
#     The names must resolve at --dns before the probe starts. A takedown also suspends the holder's
#     other names, and the N-th takedown of one holder blacklists it for good (serve --permanent-after,
#     default 3), which a lift does not undo: with few holders, run serve with a larger --permanent-after.
#     revoke-filing revokes the whole filing covering the name (all its names) and re-files it unchanged.
#   peer (rfc2136): --primary HOST:PORT --zone RPZ-ZONE [--ttl 3600]
#     Deletes NAME CNAME rpz-passthru. and *.NAME CNAME rpz-passthru. (under RPZ-ZONE) by dynamic
#     update over TCP (no TSIG: the primary must allow-update from this host), and adds them back.
# Builds registry-service and the modules it needs from this checkout (not ~/.m2), installs nothing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bin/jdk.sh"
cd "$root"
# One reactor invocation, so registry-service's classpath names this checkout's proto and
# resolver-plugin classes; a relative outputFile lands in each module's own directory.
# PROBE_NO_BUILD=1 skips the build when a classpath is there (a caller that built it already and
# must not spend CPU on Maven while it measures).
if [ "${PROBE_NO_BUILD:-0}" != 1 ] || [ ! -f registry-service/target/probe.classpath ]; then
  mvn -B -q -DskipTests -pl registry-service -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/probe.classpath
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m \
  -cp "registry-service/target/test-classes:registry-service/target/classes:$(cat registry-service/target/probe.classpath)" \
  org.serverhold.registry.bench.ChangeVisibleProbe "$@"
