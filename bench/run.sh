#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the task definition benchmark; see bench/README.md.
#   bench/run.sh                                   # the full run (about 3 minutes on 2 cores)
#   bench/run.sh -Dwharf.bench.revisions=2000      # any wharf.bench.* setting, as -D flags
# Progress goes to stderr, the Markdown report to stdout: bench/run.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
# package, not install: the benchmark runs app/target/wharf.jar of this checkout, and its classpath
# is the one this build resolved (bench/target/classpath.txt, this checkout's module jars), so
# nothing comes from the local Maven repository that another checkout could have replaced.
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" "$@" \
  -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.TaskDefinitionBench
