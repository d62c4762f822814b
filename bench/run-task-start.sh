#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the task start benchmark; see bench/README.md.
#   bench/run-task-start.sh                                    # the full run (about 3 minutes)
#   bench/run-task-start.sh -Dwharf.bench.start.rounds=40      # any wharf.bench.start.* setting
# Needs a running Docker engine and the docker CLI; builds wharf-test/busybox:latest when missing.
# Progress goes to stderr, the Markdown report to stdout: bench/run-task-start.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
cd "$root"
# package, not install: the benchmark runs app/target/wharf.jar of this checkout and needs
# nothing from the local Maven repository that another checkout could have replaced.
# package, not install, and the classpath this build resolved (bench/target/classpath.txt: this
# checkout's module jars): running through ./mvnw -pl bench exec:exec instead would take Wharf's
# modules from the local Maven repository, where a fresh clone has none (and another checkout's
# install may have put different ones).
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -Dwharf.bench.serverJar=app/target/wharf.jar -Dwharf.bench.testImageScript=scripts/test-image.sh \
  "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.TaskStartBench
