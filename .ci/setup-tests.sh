#!/usr/bin/env bash
# Test prerequisites, run by .ci/run before jest: the report's browser test needs Debian's chromium.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "setup-tests: /usr/bin/chromium present, nothing to install"
else
  echo "setup-tests: /usr/bin/chromium missing, installing Debian's chromium with apt-get"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
  echo "setup-tests: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
fi
