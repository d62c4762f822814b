#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the Logs benchmark; see bench/README.md.
#   bench/run-logs.sh                                          # 10,000,000 events (about 10 minutes)
#   bench/run-logs.sh -Dwharf.bench.logs.events=1000000        # any wharf.bench.logs.* setting
#   bench/run-logs.sh -Dwharf.bench.logs.phases=live,tail      # only some phases
# Progress goes to stderr, the Markdown report to stdout: bench/run-logs.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "$@" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.LogsBench
