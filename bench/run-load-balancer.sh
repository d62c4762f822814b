#!/usr/bin/env bash
# Builds Wharf (no tests) and runs the load-balancer benchmark; see bench/README.md.
#   bench/run-load-balancer.sh                                   # the full run (about 6 minutes)
#   bench/run-load-balancer.sh -Dwharf.bench.lb.duration=30s     # any wharf.bench.lb.* setting
# Needs HAProxy and wrk (installed from Debian when run as root on Debian), a running Docker engine,
# and builds the targets' image wharf-bench/nginx:latest from Debian's nginx with
# bench/lb-target-image.sh when it is missing.
# Progress goes to stderr, the Markdown report to stdout: bench/run-load-balancer.sh > report.md
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk
wharf_ensure_haproxy with-wrk
wharf_ensure_docker
cd "$root"
# package, not install: the benchmark runs app/target/wharf.jar of this checkout.
# package, not install, and the classpath this build resolved (bench/target/classpath.txt: this
# checkout's module jars): running through ./mvnw -pl bench exec:exec instead would take Wharf's
# modules from the local Maven repository, where a fresh clone has none (and another checkout's
# install may have put different ones).
./mvnw -q -B package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -Dwharf.bench.serverJar=app/target/wharf.jar -Dwharf.bench.lb.imageScript=bench/lb-target-image.sh \
  "$@" -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.LoadBalancerBench
