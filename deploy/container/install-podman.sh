#!/usr/bin/env bash
# Test setup for the image test (tests/deploy-image.test.ts): Debian's podman, runc, debootstrap and
# podman-compose, if absent. runc because crun 1.8 refuses a cgroup v1 host with a controller left on
# cgroup v2 (this sandbox; README "Deploying a district"). Needs root and Debian's package archive; the
# test skips, saying why, when this fails. Run under the lock that every apt-get of the tests shares.
set -euo pipefail
missing=()
for p in podman:podman runc:runc debootstrap:debootstrap podman-compose:podman-compose; do
  command -v "${p%%:*}" >/dev/null 2>&1 || missing+=("${p#*:}")
done
if [ "${#missing[@]}" = 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "not root: cannot apt-get install ${missing[*]}" >&2; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
for c in podman runc debootstrap podman-compose; do command -v "$c"; done
