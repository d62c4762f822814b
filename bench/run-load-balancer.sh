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
./mvnw -q -B package -DskipTests >&2
exec ./mvnw -q -B -pl bench exec:exec@load-balancer "$@"
