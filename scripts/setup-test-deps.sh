#!/usr/bin/env bash
# Installs the tools and reference documents the tests use: idempotent, safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- history (Cosmos contract tests): @vercel/cosmosdb-server into the gitignored .cache/cosmos-server,
# served by scripts/cosmos-test-server.js. Needs node + npm; skipped when already installed.
if [ ! -f .cache/cosmos-server/node_modules/@vercel/cosmosdb-server/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt-get update && apt-get install -y --no-install-recommends nodejs npm
  fi
  mkdir -p .cache/cosmos-server
  [ -f .cache/cosmos-server/package.json ] || echo '{"name":"cosmos-test-server","private":true}' > .cache/cosmos-server/package.json
  npm install --prefix .cache/cosmos-server --no-audit --no-fund --omit=dev @vercel/cosmosdb-server@1.0.1
fi
# --- end history
