#!/usr/bin/env bash
# Builds the image LoadBalancerBench runs as its targets, wharf-bench/nginx:latest: Debian's nginx
# binary, the shared libraries `ldd` lists for it and a configuration of its own, put in a tar and
# `docker import`ed (no registry image, nothing from the internet but Debian's package).
# Idempotent: does nothing when the image is already there (pass --force to rebuild it).
#
#   bench/lb-target-image.sh [--force] [image]      (default image: wharf-bench/nginx:latest)
#
# The nginx binary is the host's /usr/sbin/nginx when installed; otherwise Debian's nginx package is
# fetched with `apt-get download` and unpacked into a temporary directory (not installed: installing
# it would start a system nginx on port 80). The container serves, on port 8080 and on every path,
# `200 <the container's host name>` with HTTP/1.1 keep-alive (no limit of requests per connection)
# and no access log; one worker process.
set -euo pipefail

force=
if [ "${1:-}" = --force ]; then force=1; shift; fi
image=${1:-wharf-bench/nginx:latest}

if [ -z "$force" ] && docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/wharf-lb-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
nginx=/usr/sbin/nginx
if [ ! -x "$nginx" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "wharf: the load-balancer benchmark's targets need nginx: install it (Debian: sudo apt-get install nginx)" >&2
    exit 1
  fi
  echo "wharf: fetching Debian's nginx package to build $image (not installing it)..." >&2
  (cd "$work" && apt-get download -qq nginx 2>/dev/null) || {
    echo "wharf: apt-get download nginx failed; run apt-get update, or install nginx (sudo apt-get install nginx)" >&2
    exit 1
  }
  dpkg-deb -x "$work"/nginx_*.deb "$work/deb"
  nginx="$work/deb/usr/sbin/nginx"
fi

root="$work/root"
mkdir -p "$root/usr/sbin" "$root/etc/nginx" "$root/tmp" "$root/var/log/nginx" "$root/run" \
  "$root/var/lib/nginx"/{body,proxy,fastcgi,uwsgi,scgi}
chmod 1777 "$root/tmp"
cp "$nginx" "$root/usr/sbin/nginx"
# The shared libraries and the dynamic loader, at the paths the binary looks for them.
ldd "$nginx" | grep -o "/[^ ]*" | sort -u | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
cat >"$root/etc/nginx/nginx.conf" <<'CONF'
user nobody nogroup;
worker_processes 1;
daemon off;
pid /run/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 75s;
  keepalive_requests 1000000000;
  server {
    listen 8080 default_server;
    location / {
      default_type text/plain;
      return 200 "$hostname\n";
    }
  }
}
CONF

tar --numeric-owner --owner=0 --group=0 -C "$root" -c . |
  docker import -c 'CMD ["/usr/sbin/nginx", "-e", "stderr", "-c", "/etc/nginx/nginx.conf"]' - "$image" >/dev/null
echo "wharf: built $image" >&2
