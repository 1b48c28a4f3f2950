#!/usr/bin/env bash
# Install Debian's chromium for the headless report test, if it is missing.
#
#     bash scripts/install_chromium.sh
#
# Idempotent: does nothing when /usr/bin/chromium is already there. Quiet:
# apt's output goes to a log file that is printed only when the install fails.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo -n)
    else
        echo "install_chromium.sh: $CHROMIUM is missing and this is not root (no sudo either)" >&2
        exit 1
    fi
fi

log="$(mktemp -t install-chromium.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq \
        && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
    echo "install_chromium.sh: apt-get could not install chromium; its output:" >&2
    cat "$log" >&2
    exit 1
fi

if [[ ! -x "$CHROMIUM" ]]; then
    echo "install_chromium.sh: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
fi
