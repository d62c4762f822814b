#!/usr/bin/env bash
# A/B runs of HAProxy configuration variants (see bench/README.md, LoadBalancerBench): an HAProxy
# of its own with the configuration Wharf writes for one listener and a target group of two
# targets (plus two free slots), each variant changed in one place, in front of two containers of
# wharf-bench/nginx:latest (bench/lb-target-image.sh). Each round runs every variant once, in an
# order rotated round by round, for SECONDS with wrk (2 threads) and prints requests/s, p50, p99
# and HAProxy's CPU time per request (user + system of its processes, from /proc).
#
#   flock /tmp/wharf-bench.lock bench/haproxy-variants.sh ROUNDS SECONDS VARIANT...
#   CONNS=16 INTERVAL=0.6667 ... (16 connections, each wrk thread at one request per 0.6667 ms:
#                                 3,000 requests/s in all; default: 32 connections back to back)
#
# Variants: base (as Wharf writes it, HAProxy's default threads), nbt1 (nbthread 1), nbt1cpu
# (nbthread 1, cpu-map to CPU 0), reuse-always (http-reuse always), buf8k (tune.bufsize 8192),
# nolog (no log), dontlog (option dontlog-normal), nofwd (no option forwardfor), nohdr (no
# X-Forwarded-Proto/Port), bare (nofwd + nohdr + nolog), maxaccept (tune.maxaccept 8), lowlat
# (tune.sched.low-latency on), nopoolshared (tune.idle-pool.shared off), fwdif (forwardfor
# if-none). nofwd, nohdr and bare drop ALB behaviour: they only tell what those headers cost.
set -euo pipefail
rounds=$1; secs=$2; shift 2
A=127.0.0.13; L=127.0.0.14; LP=18080
D=$(mktemp -d "${TMPDIR:-/tmp}/wharf-haproxy-variants.XXXXXX")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/bench/lb-target-image.sh"
for c in wharf-variants-1 wharf-variants-2; do
  docker rm -f $c >/dev/null 2>&1 || true
  docker run -d --name $c -p $A:0:8080 wharf-bench/nginx:latest >/dev/null
done
trap 'docker rm -f wharf-variants-1 wharf-variants-2 >/dev/null 2>&1; rm -rf "$D"' EXIT
sleep 1
P1=$(docker port wharf-variants-1 8080 | cut -d: -f2); P2=$(docker port wharf-variants-2 8080 | cut -d: -f2)
cat > $D/r.lua <<'LUA'
local interval = tonumber(os.getenv("WRK_INTERVAL_MS") or "0")
if interval > 0 then
  local ffi = require("ffi")
  ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } wts; int clock_gettime(int, wts *); ]]
  local ts = ffi.new("wts")
  local slot = 0
  function delay()
    ffi.C.clock_gettime(1, ts)
    local now = tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
    if slot < now then slot = now end
    local wait = slot - now
    slot = slot + interval
    return wait
  end
end
done = function(s, lat, req) io.write(string.format("WRK %d %d %d %d %d\n", s.requests, s.duration, lat:percentile(50), lat:percentile(99), s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout + s.errors.status)) end
LUA
cfg() { # variant -> config on stdout
  local v=$1 G="" DF="" FE="" BE="" fwd="  option forwardfor" hdr=1 log="  log global"
  case $v in
    base) ;;
    nbt1) G="  nbthread 1";;
    nbt1cpu) G="  nbthread 1
  cpu-map 1/1 0";;
    reuse-always) BE="  http-reuse always";;
    buf8k) G="  tune.bufsize 8192";;
    nolog) log="  no log";;
    dontlog) DF="  option dontlog-normal";;
    nofwd) fwd="";;
    nohdr) hdr=0;;
    bare) fwd=""; hdr=0; log="  no log";;
    maxaccept) G="  tune.maxaccept 8";;
    lowlat) G="  tune.sched.low-latency on";;
    nopoolshared) G="  tune.idle-pool.shared off";;
    fwdif) fwd="  option forwardfor if-none";;
    *) echo "unknown $v" >&2; exit 1;;
  esac
  cat <<CFG
global
  stats socket $D/admin.sock mode 600 level admin expose-fd listeners
  stats timeout 30s
  log stderr format short local0 notice
$G
defaults
  mode http
$log
  option redispatch
  retries 3
$fwd
$DF
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-request 60s
  timeout http-keep-alive 60s
  timeout queue 60s
frontend f
  bind $L:$LP
$( [ $hdr = 1 ] && printf '  http-request set-header X-Forwarded-Proto http\n  http-request set-header X-Forwarded-Port %s\n' $LP )
$FE
  default_backend b
backend b
  balance roundrobin
  option httpchk
  http-check send meth GET uri /health ver HTTP/1.1 hdr Host wharf-health-check hdr User-Agent ELB-HealthChecker/2.0
  http-check expect rstatus "^(200)\\\$"
  timeout check 2000ms
$BE
  server s1 $A:$P1 check inter 5000ms rise 2 fall 2
  server s2 $A:$P2 check inter 5000ms rise 2 fall 2
  server s3 127.0.0.1:1 disabled check inter 5000ms rise 2 fall 2
  server s4 127.0.0.1:1 disabled check inter 5000ms rise 2 fall 2
CFG
}
ticks() { local t=0 p; for p in "$@"; do [ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $t; }
variants=("$@"); n=${#variants[@]}
for r in $(seq $rounds); do
  for k in $(seq 0 $((n-1))); do
    v=${variants[$(( (k + r) % n ))]}
    cfg $v > $D/$v.cfg
    haproxy -W -db -f $D/$v.cfg -p $D/pid -S $D/master.sock,mode,600 >$D/$v.log 2>&1 &
    hp=$!
    for i in $(seq 50); do curl -s -o /dev/null http://$L:$LP/ && break; sleep 0.1; done
    sleep 1
    wrk -t2 -c32 -d2s http://$L:$LP/ >/dev/null
    pids="$hp $(pgrep -P $hp | tr '\n' ' ')"
    t0=$(ticks $pids)
    out=$(WRK_INTERVAL_MS=${INTERVAL:-0} wrk -t2 -c${CONNS:-32} -d${secs}s -s $D/r.lua http://$L:$LP/ | grep '^WRK')
    t1=$(ticks $pids)
    read -r _ req dur p50 p99 err <<<"$out"
    awk -v v=$v -v r=$r -v req=$req -v dur=$dur -v p50=$p50 -v p99=$p99 -v err=$err -v t=$((t1-t0)) -v la="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN{printf "%d %-14s rps %7.0f p50 %5.2f p99 %6.2f err %d haproxy_us/req %6.1f load %s\n", r, v, req/(dur/1e6), p50/1000, p99/1000, err, t*10000/req, la}'
    kill $hp; wait $hp 2>/dev/null || true
  done
done
