#!/usr/bin/env bash
# PlacementBench before and after: two revisions built apart, run interleaved; see bench/README.md.
#   bench/run-placement-ab.sh a7d6f1e                   # a7d6f1e (A, before) against HEAD (B, after)
#   bench/run-placement-ab.sh a7d6f1e my-branch         # against another revision
#   bench/run-placement-ab.sh a7d6f1e HEAD -Dwharf.bench.instances=1000 -Dwharf.bench.placementClients=8
#   WHARF_AB_ROUNDS=5 bench/run-placement-ab.sh a7d6f1e # rounds (A then B in each), default 3
# Every argument from the first one starting with '-' on is passed to both runs' JVMs (any
# wharf.bench.* setting of PlacementBench, or a JVM option), after this script's defaults, so it
# overrides them. Progress goes to stderr, the Markdown report to stdout:
#   flock /tmp/wharf-docker.lock bench/run-placement-ab.sh a7d6f1e > placement-ab.md
# WHARF_AB_KEEP=<dir> keeps each run's full PlacementBench report there (round-N-A.md, ...).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/prereqs.sh
source "$root/scripts/prereqs.sh"
wharf_require_jdk

usage() {
  echo "usage: bench/run-placement-ab.sh <before-rev> [<after-rev>, default HEAD] [-D... settings]" >&2
  exit 2
}
[ $# -ge 1 ] && [ "${1#-}" = "$1" ] || usage
before_rev=$1
shift
after_rev=HEAD
if [ $# -ge 1 ] && [ "${1#-}" = "$1" ]; then
  after_rev=$1
  shift
fi
passed=("$@")
rounds=${WHARF_AB_ROUNDS:-3}
case "$rounds" in '' | *[!0-9]* | 0) echo "WHARF_AB_ROUNDS must be a positive number, not '$rounds'" >&2; exit 2 ;; esac

resolve() {
  git -C "$root" rev-parse --verify --quiet "$1^{commit}" ||
    { echo "run-placement-ab: '$1' is not a revision of $root" >&2; exit 2; }
}
sha_a=$(resolve "$before_rev")
sha_b=$(resolve "$after_rev")
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  echo "run-placement-ab: note: $root has uncommitted changes; they are not measured (only commits are)" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wharf-placement-ab.XXXXXX")
bench_pid=
cleanup() {
  # A run still going (interrupted) is stopped first: it would hold its data dir and the CPU.
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

progress() { echo "ab: $*" >&2; }

# The defaults: the issue's scale alone (10,000 instances, filled to 100,000 tasks). Restarts and
# `wharf server` alone come after the placements and are not compared, so they are cut to one
# restart and skipped (an empty serverJar names no jar). Any of these is overridden by a -D
# passed in, which comes later on the command line (the JVM takes the last).
defaults=(-Dwharf.bench.instances=10000 -Dwharf.bench.restarts=1 -Dwharf.bench.serverJar=)
# As bench/run-placement.sh runs PlacementBench (its comments say why these flags).
jvm=(-Xmx4g -XX:+UseZGC -XX:SoftMaxHeapSize=1g --enable-native-access=ALL-UNNAMED)
build_cmd=(./mvnw -q -B package -DskipTests dependency:build-classpath
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime)

# A clean clone of each revision, built as bench/run-placement.sh builds: the reactor packaged
# (never installed: the local Maven repository is shared and holds none of either revision's
# modules), the benchmark on the classpath that checkout's build resolved, its own module jars.
# --shared borrows the source repository's objects, so any commit there can be checked out.
for side in A B; do
  sha=$sha_a
  [ "$side" = B ] && sha=$sha_b
  dir="$work/$side"
  progress "$side: cloning ${sha:0:12} into $dir"
  git clone --quiet --shared --no-checkout "$root" "$dir"
  git -C "$dir" -c advice.detachedHead=false checkout --quiet --detach "$sha"
  progress "$side: building (${build_cmd[*]})"
  t0=$SECONDS
  (cd "$dir" && "${build_cmd[@]}" >&2)
  progress "$side: built in $((SECONDS - t0)) s"
done

# Reads the "### Placement" table of a PlacementBench report (its first table, the same in every
# revision since PlacementBench arrived) by its column names, one line per size and client count:
#   instances clients placements/s p50-ms p99-ms not-placed
placement_rows() {
  awk -F'|' '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    function num(s) { s = trim(s); gsub(/,/, "", s); return s }
    $0 == "### Placement" { inside = 1; next }
    inside && /^\|/ {
      if (!header) { for (i = 2; i < NF; i++) col[trim($i)] = i; header = 1; next }
      if ($2 ~ /^[ \t]*-+[ \t]*$/) next
      print num($col["Instances"]), num($col["Clients"]), num($col["Placements/s"]),
        num($col["p50 ms"]), num($col["p99 ms"]), num($col["Not placed"])
      rows++
      next
    }
    inside && header && !/^\|/ { exit }
    END {
      if (!rows || !("Placements/s" in col) || !("p99 ms" in col)) {
        print "no ### Placement table with Placements/s, p50 ms and p99 ms in the report" > "/dev/stderr"
        exit 1
      }
    }' "$1"
}

load() { cut -d' ' -f1 /proc/loadavg; }
load_start=$(load)
began=$SECONDS
figures="$work/figures.txt" # round side instances clients pps p50 p99 notplaced load-at-start
: >"$figures"
for ((r = 1; r <= rounds; r++)); do
  for side in A B; do
    dir="$work/$side"
    report="$work/round-$r-$side.md"
    at=$(load)
    progress "round $r/$rounds, $side ($(git -C "$dir" rev-parse --short HEAD)); load average $at"
    # In that checkout, as bench/run-placement.sh runs it: relative paths (app/target/wharf.jar,
    # bench/target/classes) are that build's.
    # Its temp files (PlacementBench's data dirs, SQLite's native library) go under $work, so
    # that they are removed with it even when the run is stopped before it cleans up itself.
    mkdir -p "$work/tmp-$side"
    (cd "$dir" && exec "$JAVA_HOME/bin/java" "${jvm[@]}" -Djava.io.tmpdir="$work/tmp-$side" \
      "${defaults[@]}" "${passed[@]}" \
      -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.wharf.bench.PlacementBench) \
      >"$report" &
    bench_pid=$!
    status=0
    wait "$bench_pid" || status=$?
    bench_pid=
    if [ "$status" -ne 0 ]; then
      echo "run-placement-ab: PlacementBench failed (exit $status) in round $r, $side; its report so far:" >&2
      cat "$report" >&2
      exit 1
    fi
    placement_rows "$report" | while read -r line; do echo "$r $side $line $at"; done >>"$figures"
    [ -s "$figures" ] || exit 1
    if [ -n "${WHARF_AB_KEEP:-}" ]; then
      mkdir -p "$WHARF_AB_KEEP"
      cp "$report" "$WHARF_AB_KEEP/round-$r-$side.md"
    fi
  done
done
load_end=$(load)
took=$((SECONDS - began))

describe() { git -C "$work/$1" log -1 --format='`%h` %s (%cs)' HEAD; }
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
settings="${jvm[*]} -Djava.io.tmpdir=<its temp dir> ${defaults[*]}${passed[*]:+ ${passed[*]}}"

cat <<EOF

## PlacementBench before and after

- A, before: $(describe A)
- B, after: $(describe B)
- Machine: $(nproc) cores (${cpu:-unknown CPU}), $(uname -sr); JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)
- Load average (1 min): $load_start at start, $load_end at end (the machine may be shared: both revisions ran interleaved, A B A B ..., so that both saw its load)
- $rounds rounds of A then B, each run a new JVM; the runs took $took s (builds not counted)
- Built in a clean clone of each revision: \`${build_cmd[*]}\`
- Each run, in its clone: \`java $settings -cp "bench/target/classes:\$(cat bench/target/classpath.txt)" io.wharf.bench.PlacementBench\`
- Figures: the "Placement" table of each run's own report (placements/s over the RunTask windows; RunTask p50/p99 over all rounds of that run)

EOF

awk -v rounds="$rounds" '
  function median(list, n,   i, j, t, v) {
    for (i = 1; i <= n; i++) v[i] = list[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function grouped(n,   s, out) { s = sprintf("%.0f", n); out = ""; while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) } return s out }
  {
    r = $1; side = $2; key = $3 SUBSEP $4
    if (!(key in seen)) { seen[key] = 1; keys[++nkeys] = key }
    pps[key, side, r] = $5; p50[key, side, r] = $6; p99[key, side, r] = $7
    unplaced[key, side] += $8; load[r, side] = $9
  }
  END {
    print "### Round by round\n"
    print "| Round | Instances | Clients | Load at A | A placements/s | B placements/s | B / A | A p50 ms | B p50 ms | A p99 ms | B p99 ms |"
    print "| ----: | --------: | ------: | --------: | -------------: | -------------: | ----: | -------: | -------: | -------: | -------: |"
    for (r = 1; r <= rounds; r++) for (k = 1; k <= nkeys; k++) {
      key = keys[k]; split(key, ic, SUBSEP)
      printf "| %d | %s | %s | %s | %s | %s | %.3f | %.2f | %.2f | %.2f | %.2f |\n", r, grouped(ic[1]), ic[2], load[r, "A"],
        grouped(pps[key, "A", r]), grouped(pps[key, "B", r]), (pps[key, "A", r] > 0 ? pps[key, "B", r] / pps[key, "A", r] : 0),
        p50[key, "A", r], p50[key, "B", r], p99[key, "A", r], p99[key, "B", r]
    }
    printf "\n### Medians over %d rounds, after against before\n\n", rounds
    print "| Instances | Clients | Figure | A, before | B, after | B / A | Within 5 % |"
    print "| --------: | ------: | ------ | --------: | -------: | ----: | ---------- |"
    for (k = 1; k <= nkeys; k++) {
      key = keys[k]; split(key, ic, SUBSEP)
      for (f = 1; f <= 3; f++) {
        for (r = 1; r <= rounds; r++) {
          if (f == 1) { a[r] = pps[key, "A", r]; b[r] = pps[key, "B", r] }
          if (f == 2) { a[r] = p50[key, "A", r]; b[r] = p50[key, "B", r] }
          if (f == 3) { a[r] = p99[key, "A", r]; b[r] = p99[key, "B", r] }
        }
        ma = median(a, rounds); mb = median(b, rounds); ratio = ma > 0 ? mb / ma : 0
        # The cost is what is bounded: fewer placements/s, or a longer latency, than 5 % allows.
        if (f == 1) { name = "Placements/s"; ok = ratio >= 0.95; va = grouped(ma); vb = grouped(mb) }
        else { name = (f == 2 ? "RunTask p50 ms" : "RunTask p99 ms"); ok = ratio <= 1.05; va = sprintf("%.2f", ma); vb = sprintf("%.2f", mb) }
        printf "| %s | %s | %s | %s | %s | %.3f | %s |\n", grouped(ic[1]), ic[2], name, va, vb, ratio, ok ? "met" : "**not met**"
      }
    }
    print "\nWithin 5 %: the after/before ratio of the medians is at least 0.95 for placements/s and at most 1.05 for RunTask p50 and p99 (the issue asks for no measurable cost; being faster meets it)."
    for (k = 1; k <= nkeys; k++) {
      key = keys[k]; split(key, ic, SUBSEP)
      for (s = 1; s <= 2; s++) {
        side = s == 1 ? "A" : "B"
        if (unplaced[key, side] > 0)
          printf "\n**%s left %s tasks not placed at %s instances, %s clients: its placements/s are not comparable.**\n", side, grouped(unplaced[key, side]), grouped(ic[1]), ic[2]
      }
    }
  }' "$figures"
