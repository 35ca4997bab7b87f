#!/usr/bin/env bash
# Makes sure a ZooKeeper 3.8 server and Java 11+ are available for Brook: silent when they are, installs
# them with apt-get when running as root on Debian/Ubuntu, otherwise says exactly what to install.
# Idempotent: safe to run on every setup.
set -euo pipefail

have_java() {
  local java="${JAVA_HOME:+$JAVA_HOME/bin/java}"
  [ -n "$java" ] && [ -x "$java" ] || java="$(command -v java || true)"
  [ -n "$java" ] || return 1
  # "openjdk version "17.0.15"" or "1.8.0_x" -> major version
  local v
  v="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.[0-9]*\)*.*/\1/p' | head -n1)"
  [ -n "$v" ] && [ "$v" -ge 11 ]
}

have_zookeeper() {
  if [ -n "${ZOOKEEPER_HOME:-}" ] && ls "$ZOOKEEPER_HOME"/lib/zookeeper-*.jar >/dev/null 2>&1; then return 0; fi
  [ -f /usr/share/java/zookeeper.jar ] && return 0
  command -v zkServer.sh >/dev/null 2>&1 && return 0
  return 1
}

# slf4j-simple lets the server's log lines reach the log file; optional (without it ZooKeeper runs silently).
have_slf4j_binding() {
  [ -n "${ZOOKEEPER_HOME:-}" ] || [ ! -f /usr/share/java/zookeeper.jar ] || \
    [ -f /usr/share/java/slf4j-simple.jar ] || [ -f /usr/share/java/slf4j-nop.jar ]
}

if have_java && have_zookeeper && have_slf4j_binding; then
  exit 0
fi

packages=()
have_java || packages+=(default-jre-headless)
have_zookeeper || packages+=(zookeeper)
have_slf4j_binding || packages+=(libslf4j-java)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-zookeeper: installing ${packages[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # zookeeperd would start a system-wide server on 2181; Brook starts its own, so only the package is needed.
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  if have_java && have_zookeeper; then
    exit 0
  fi
  echo "ensure-zookeeper: installation finished but ZooKeeper or Java is still missing" >&2
  exit 1
fi

cat >&2 <<MSG
Brook needs Apache ZooKeeper 3.8 and Java 11+; missing: ${packages[*]}
  Debian/Ubuntu:  sudo apt-get install ${packages[*]}
  elsewhere:      install Java 11+ and set ZOOKEEPER_HOME to an unpacked Apache ZooKeeper 3.8 binary
                  distribution (https://zookeeper.apache.org/releases.html, apache-zookeeper-3.8.x-bin.tar.gz)
Then run: bash zk/ensure-zookeeper.sh
MSG
exit 1
