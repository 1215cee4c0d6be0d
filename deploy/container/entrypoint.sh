#!/bin/sh
# The image's entrypoint. `kvartal node` (the default): prepare.ts makes the config ready (kvartal init on
# first start, the district's overlays, the bootstrap list), then the node replaces this shell as PID 1,
# so it gets SIGTERM itself and shuts down cleanly. Any other command is a kvartal command:
#   podman exec node-1 kvartal status --config /var/lib/kvartal/node.yaml
#   podman run --rm -v kvartal-1:/var/lib/kvartal localhost/kvartal keys show --config /var/lib/kvartal/node.yaml
set -eu
: "${KVARTAL_HOME:=/var/lib/kvartal}"
export KVARTAL_HOME
NODE=/usr/local/bin/node
CLI=/opt/kvartal/packages/cli/bin/kvartal.ts
if [ "$#" -gt 0 ] && [ "$1" != "node" ]; then exec "$NODE" "$CLI" "$@"; fi
[ "$#" -gt 0 ] && shift
"$NODE" /opt/kvartal/deploy/container/prepare.ts
exec "$NODE" "$CLI" node --config "${KVARTAL_CONFIG:-$KVARTAL_HOME/node.yaml}" "$@"
