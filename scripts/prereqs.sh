# Prerequisite checks shared by ./wharf and scripts/test. Sourced, not run.
# Each check says what is missing and how to get it; as root on Debian it installs what Debian provides.

# A JDK 21+ in JAVA_HOME (Temurin 25 preferred, as the project is built and tested with it).
wharf_require_jdk() {
  local candidates=("${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/default-java)
  local c version
  for c in "${candidates[@]}"; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    version=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ "${version%%.*}" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$c"
      return 0
    fi
  done
  cat >&2 <<MSG
wharf: a JDK 21 or newer is needed and none was found (set JAVA_HOME to one).
  On Debian/Ubuntu: sudo apt-get install openjdk-21-jdk   (or install Temurin 25 from adoptium.net)
MSG
  exit 1
}

# Debian's aws CLI v2 at /usr/bin/aws: the end-to-end tests drive Wharf with it (and with any aws CLI
# first on PATH). Installed when running as root on Debian; otherwise the tests use what is there.
wharf_ensure_awscli() {
  [ -x /usr/bin/aws ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "wharf: installing Debian's awscli (aws CLI v2) for the end-to-end tests..." >&2
    apt_get_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null
  elif ! command -v aws >/dev/null; then
    echo "wharf: the end-to-end tests need the aws CLI: sudo apt-get install awscli (or pip install awscli)" >&2
    exit 1
  fi
}

# A running Docker engine and a static busybox for the Docker integration tests (*IT), whose image
# scripts/test-image.sh builds from /bin/busybox. As root on Debian, installs Debian's docker.io
# and busybox-static and starts dockerd in the background (no systemd needed, as in CI);
# otherwise says how to get them.
wharf_ensure_docker() {
  local can_install=
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -r /etc/debian_version ]; then
    can_install=1
  fi
  if [ ! -x /bin/busybox ]; then
    if [ -n "$can_install" ]; then
      echo "wharf: installing Debian's busybox-static for the Docker test image..." >&2
      apt_get_update_once
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
    else
      echo "wharf: the Docker tests build their image from a static /bin/busybox: sudo apt-get install busybox-static" >&2
      exit 1
    fi
  fi
  docker info >/dev/null 2>&1 && return 0
  if [ -z "$can_install" ]; then
    cat >&2 <<'MSG'
wharf: the Docker integration tests need a running Docker engine, and `docker info` fails.
  Install it:  sudo apt-get install docker.io   (Debian/Ubuntu; or Docker Engine from docs.docker.com)
  Start it:    sudo systemctl start docker       (without systemd: sudo dockerd &)
  Reach it:    join the docker group (sudo usermod -aG docker "$USER", then log in again),
               or point DOCKER_HOST at an engine you can use
MSG
    exit 1
  fi
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    echo "wharf: installing Debian's docker.io for the Docker integration tests..." >&2
    apt_get_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  fi
  local log="${TMPDIR:-/tmp}/wharf-dockerd.log" i
  # Docker's own awslogs driver runs inside dockerd and signs with the AWS SDK for Go's default
  # credentials (environment, then the shared credentials file; no instance metadata here). Point
  # it at a Wharf-owned file, empty until DockerAwslogsDriverIT writes the test server's keys in
  # it for the length of the test; the file's presence tells the test dockerd was started so.
  local creds="${WHARF_DOCKERD_AWS_CREDENTIALS:-/var/lib/wharf/dockerd-aws-credentials}"
  mkdir -p "$(dirname "$creds")"
  [ -f "$creds" ] || install -m 600 /dev/null "$creds"
  echo "wharf: starting dockerd in the background (log: $log)..." >&2
  # Its own session, so that it outlives this script and is not part of the test run's process group.
  AWS_SHARED_CREDENTIALS_FILE="$creds" setsid dockerd >"$log" 2>&1 </dev/null &
  for i in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "wharf: dockerd did not answer within 60s; see $log" >&2
  exit 1
}

# HAProxy serves load balancers' listeners (Wharf runs it), and the load-balancing integration tests
# need it; wrk drives the load-balancing benchmark. Installed from Debian when running as root on
# Debian; otherwise says how to get them. `optional` (for ./wharf): only a warning, because Wharf
# runs without HAProxy (the ELB API answers; listeners are not served). `with-wrk`: wrk as well.
wharf_ensure_haproxy() {
  local need=() mode="${1:-}"
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
  if [ "$mode" = with-wrk ]; then
    command -v wrk >/dev/null || need+=(wrk)
  fi
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -r /etc/debian_version ]; then
    echo "wharf: installing Debian's ${need[*]} (load balancers' data plane, load-balancing tests)..." >&2
    apt_get_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    # Debian's package starts a haproxy service with its own configuration where systemd runs;
    # Wharf runs its own HAProxy and does not use that one.
  elif [ "$mode" = optional ]; then
    echo "wharf: HAProxy is not installed, so load balancers' listeners will not be served: sudo apt-get install haproxy" >&2
  else
    echo "wharf: the load-balancing tests need ${need[*]}: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
}

apt_get_update_once() {
  if [ -z "${WHARF_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    export WHARF_APT_UPDATED=1
  fi
}
