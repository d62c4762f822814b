#!/usr/bin/env bash
# Builds the image the Docker integration tests run, wharf-test/busybox:latest, from the host's
# static busybox with `docker import`: no registry, no network. Idempotent: does nothing when the
# image is already there (pass --force to rebuild it).
#
#   scripts/test-image.sh [--force] [image]      (default image: wharf-test/busybox:latest)
#
# Needs a running Docker engine and a static busybox at /bin/busybox (Debian: busybox-static), or
# WHARF_BUSYBOX pointing at one.
set -euo pipefail

force=
if [ "${1:-}" = --force ]; then force=1; shift; fi
image=${1:-wharf-test/busybox:latest}
busybox=${WHARF_BUSYBOX:-/bin/busybox}

if [ -z "$force" ] && docker image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi
if [ ! -x "$busybox" ]; then
  echo "wharf: $busybox is missing; the test image needs a static busybox (sudo apt-get install busybox-static)" >&2
  exit 1
fi
# A dynamically linked busybox (Debian's plain `busybox` package) would not run in an image that
# has no C library.
if command -v ldd >/dev/null && ldd "$busybox" >/dev/null 2>&1; then
  echo "wharf: $busybox is dynamically linked; install busybox-static (sudo apt-get install busybox-static)" >&2
  exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/wharf-test-image.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/www"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
# The applets the tests use, and a few more for poking around in a test container.
for applet in sh sleep httpd echo true false cat wget nc env id ls pwd mkdir head tail kill ps \
  printf sed grep dd rm touch hostname test timeout; do
  ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
echo 'wharf test image' >"$root/www/index.html"

tar --numeric-owner --owner=0 --group=0 -C "$root" -c . |
  docker import -c 'CMD ["/bin/sh"]' - "$image" >/dev/null
echo "wharf: built $image" >&2
