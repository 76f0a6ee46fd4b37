#!/usr/bin/env bash
# The web client (web/): installs its npm packages from web/package-lock.json when they are missing
# or the lock changed (npm ci, nothing global), then builds web/dist (Vite), which the gateway serves
# at "/" (GATEWAY_WEB_DIR).
# Usage: scripts/web.sh [build|deps]
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "${1:-build}" = build ]; then
  npm run --silent build
fi
