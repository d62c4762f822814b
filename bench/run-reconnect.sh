#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the reconnect benchmark; see bench/README.md.
#   bench/run-reconnect.sh                                          # 5 outages of 10 s, 3 agents (about 2 minutes)
#   bench/run-reconnect.sh -Dwharf.bench.reconnect.outages=10       # any wharf.bench.reconnect.* setting
# Needs a running Docker engine (the agents connect to it; they run no containers).
# Progress goes to stderr, the Markdown report to stdout: bench/run-reconnect.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
# package, not install, and the classpath this build resolved (this checkout's module jars); the
# server and agents under test run from this build's app/target/wharf.jar.
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" -Dwharf.bench.serverJar=app/target/wharf.jar "$@" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.ReconnectBench
