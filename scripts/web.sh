#!/usr/bin/env bash
# The web client (web/): installs its npm packages from web/package-lock.json when they are missing
# or the lock changed (npm ci, nothing global), then builds web/dist (Vite), which the gateway serves
# at "/" (GATEWAY_WEB_DIR).
# Usage: scripts/web.sh [build|deps]
set -euo pipefail
cd "$(dirname "$0")/../web"
# Vite 8 and its bundler need Node.js 20.19 or newer (Debian 12's own nodejs package is 18).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "web: Node.js $(node --version) is too old to build the web client: 20.19 or newer is needed" >&2
  echo "     (e.g. NodeSource's nodejs 20 or 22 package; the machines this project targets have it)" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "${1:-build}" = build ]; then
  npm run --silent build
fi
