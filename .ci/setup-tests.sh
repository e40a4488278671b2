#!/usr/bin/env bash
# Test prerequisites, run by .ci/run before jest: the report's browser test needs Debian's chromium,
# the server's Redis Streams tests need Debian's redis-server (started by the tests on a free port).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
updated=""
apt_install() {
  if [ -z "$updated" ]; then $SUDO apt-get update -qq; updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}
if [ -x /usr/bin/chromium ]; then
  echo "setup-tests: /usr/bin/chromium present, nothing to install"
else
  echo "setup-tests: /usr/bin/chromium missing, installing Debian's chromium with apt-get"
  apt_install chromium
  echo "setup-tests: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
fi
if [ -x /usr/bin/redis-server ]; then
  echo "setup-tests: /usr/bin/redis-server present, nothing to install"
else
  echo "setup-tests: /usr/bin/redis-server missing, installing Debian's redis-server with apt-get"
  apt_install redis-server
  echo "setup-tests: installed $(/usr/bin/redis-server --version 2>/dev/null || echo redis-server)"
fi
