#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the service benchmark; see bench/README.md.
#   bench/run-services.sh                                           # the full run (4 to 6 minutes on 2 cores)
#   bench/run-services.sh -Dwharf.bench.services.parts=simulation   # any wharf.bench.services.* setting, as -D flags
#   bench/run-services.sh -XX:StartFlightRecording=filename=services.jfr   # or any JVM option
# The Docker part needs a running Docker engine and the docker CLI; it builds
# wharf-test/busybox:latest when missing.
# Progress goes to stderr, the Markdown report to stdout: bench/run-services.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
# ServiceBench runs the simulation (the real control plane) in its own JVM, so it links Wharf's
# modules, and they must be this checkout's: as bench/run-placement.sh, build the whole reactor
# (package, not install: nothing is written to, or read from, the local Maven repository that other
# checkouts share) and run on the classpath that build resolved. The build also makes
# app/target/wharf.jar, which the Docker part runs as `wharf server` and `wharf agent`.
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
# 4 GiB of heap: the control plane, 1,000 simulated agents and 10,000 tasks share this JVM.
# --enable-native-access: SQLite's JDBC driver loads a native library (as ./wharf allows it).
# The defaults come first, so that a -D flag given to this script overrides them.
exec "$JAVA_HOME/bin/java" -Xmx4g --enable-native-access=ALL-UNNAMED \
  -Dwharf.bench.serverJar=app/target/wharf.jar -Dwharf.bench.testImageScript=scripts/test-image.sh \
  "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.ServiceBench
