#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the dashboard's browser test (the test
# drives it with playwright-core, which never downloads a browser of its own). Installs the
# `chromium` package with apt-get when it is missing; does nothing when it is there.
#
# Environment: SEG_CHROMIUM (default /usr/bin/chromium), the executable to look for.
set -euo pipefail
SCRIPT_NAME=chromium
. "$(dirname "$0")/../lib/common.sh"

CHROMIUM=${SEG_CHROMIUM:-/usr/bin/chromium}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root to install chromium (no sudo available): $*"
  fi
}

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
command -v apt-get >/dev/null || die "$CHROMIUM is missing and apt-get is not available: install Chromium and set SEG_CHROMIUM"
say "installing Debian's chromium with apt-get (a few minutes the first time)"
export DEBIAN_FRONTEND=noninteractive
if ! as_root apt-get install -y -q --no-install-recommends chromium >/dev/null; then
  say "apt-get install failed; running apt-get update and retrying"
  as_root apt-get update -q >/dev/null || die "apt-get update failed"
  as_root apt-get install -y -q --no-install-recommends chromium >/dev/null || die "apt-get install chromium failed"
fi
[ -x "$CHROMIUM" ] || die "chromium was installed but $CHROMIUM is missing"
say "chromium ready: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
