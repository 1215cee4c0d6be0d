#!/usr/bin/env bash
# Regenerates packages/protocol/src/gen/{kvartal,mobility}.{js,d.ts} from packages/protocol/proto/*.proto.
# protons emits TypeScript with enums and namespaces, which Node's type stripping cannot run, so the
# generated module is compiled once to JavaScript plus declarations, and both are committed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/packages/protocol/proto/"*.proto "$tmp/"
"$root/node_modules/.bin/protons" "$tmp/kvartal.proto" "$tmp/mobility.proto"
cat > "$tmp/tsconfig.json" <<JSON
{ "compilerOptions": { "target": "es2024", "module": "es2022", "moduleResolution": "bundler",
  "declaration": true, "skipLibCheck": true, "strict": true, "typeRoots": ["$root/node_modules/@types"],
  "baseUrl": "$root", "outDir": "$root/packages/protocol/src/gen" }, "files": ["$tmp/kvartal.ts", "$tmp/mobility.ts"] }
JSON
ln -s "$root/node_modules" "$tmp/node_modules"
"$root/node_modules/.bin/tsc" -p "$tmp/tsconfig.json"
echo "generated packages/protocol/src/gen/{kvartal,mobility}.js"
