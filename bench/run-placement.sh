#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the placement-at-scale benchmark; see bench/README.md.
#   bench/run-placement.sh                                       # the full run (about 10 minutes on 2 cores)
#   bench/run-placement.sh -Dwharf.bench.instances=1000,2000     # any wharf.bench.* setting, as -D flags
#   bench/run-placement.sh -XX:StartFlightRecording=filename=placement.jfr   # or any JVM option
# Progress goes to stderr, the Markdown report to stdout: bench/run-placement.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
# PlacementBench runs the control plane in its own JVM, so it links Wharf's modules. They must be
# this checkout's: the whole reactor is built (package, not install: nothing is written to, or read
# from, the local Maven repository that other checkouts share) and dependency:build-classpath
# writes the classpath that build resolved, with this checkout's module jars, to
# bench/target/classpath.txt. The build also makes app/target/wharf.jar, which the benchmark runs
# alone on a copy of the largest cluster's data.
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
# 4 GiB of heap: the control plane, 10,000 simulated agents and the load generator share this JVM.
# Generational ZGC, as ./wharf runs the control plane; a soft limit of 1 GiB keeps ZGC from letting
# the heap grow to the maximum before it collects.
# --enable-native-access: SQLite's JDBC driver loads a native library (as ./wharf allows it).
exec "$JAVA_HOME/bin/java" -Xmx4g -XX:+UseZGC -XX:SoftMaxHeapSize=1g \
  --enable-native-access=ALL-UNNAMED "$@" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.PlacementBench
