#!/usr/bin/env bash
# Test setup for the report's browser check (tests/report-html.test.ts): Debian's Chromium, if absent.
# Needs root and Debian's package archive; the test skips, saying why, when this fails.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "not root: cannot apt-get install chromium" >&2; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium
