#!/usr/bin/env bash
# The 3D gallery's browser tests (web/e2e/gallery.e2e.mjs) against the real system, in a network
# namespace of their own (scripts/gallery_netns.sh says why and how). Needs root and socat, and the
# PostgreSQL and RabbitMQ of scripts/test.sh (HATONGSU_PG_BASE, HATONGSU_AMQP_URL).
# Usage: scripts/gallery_test.sh BUILD_DIR     (ctest runs it as GalleryE2E)
set -euo pipefail
exec "$(dirname "$0")/gallery_netns.sh" "${1:?usage: gallery_test.sh BUILD_DIR}" node --test e2e/gallery.e2e.mjs
