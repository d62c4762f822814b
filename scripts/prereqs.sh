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

apt_get_update_once() {
  if [ -z "${WHARF_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    export WHARF_APT_UPDATED=1
  fi
}
