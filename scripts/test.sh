#!/usr/bin/env bash
# The one test command (npm test): lint first (types, the layering, biome), installs what the
# integration tests need, builds the CLI the tests spawn, then runs every tier.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent lint
bash scripts/install-test-deps.sh
# Engines 26.1 and 28.5 (and whatever Debian's suites hold now) for the engine matrix.
bash scripts/fetch-engines.sh
npm run --silent build
exec npx vitest run "$@"
