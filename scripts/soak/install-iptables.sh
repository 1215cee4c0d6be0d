#!/usr/bin/env bash
# Test setup for the soak in network namespaces (tests/soak-partitions.test.ts, `npm run soak -- --netns`):
# Debian's iptables, if absent. Needs root and Debian's package archive; the test skips, saying why, when
# this fails. Run under the lock that every apt-get of the tests shares (scripts/soak/netns.ts).
set -euo pipefail
if command -v iptables >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "not root: cannot apt-get install iptables" >&2; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null
command -v iptables
