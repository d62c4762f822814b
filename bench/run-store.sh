#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the store benchmark (commits and reload); see bench/README.md.
#   bench/run-store.sh                                   # 100,000 rows, 2,000 timed commits, 3 rounds (about 2 minutes)
#   bench/run-store.sh -Dwharf.bench.store.rows=20000    # any wharf.bench.store.* setting
# Needs nothing but a JDK and a disk: it opens the store in a temporary directory.
# Progress goes to stderr, the Markdown report to stdout: bench/run-store.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
# package, not install, and the classpath this build resolved (this checkout's module jars); the
# store under test is this build's store module.
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "$@" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.StoreBench
