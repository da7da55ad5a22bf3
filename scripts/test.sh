#!/usr/bin/env bash
# The one test command (npm test): installs what the integration tests need, builds the
# CLI the tests spawn, then runs every tier.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
npm run --silent build
exec npx vitest run "$@"
