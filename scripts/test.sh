#!/usr/bin/env bash
# The one test command (npm test): lint first (types, the layering, biome), installs what the
# integration tests need, builds the CLI the tests spawn, then runs every tier on the
# machine's Node and the unit and integration tiers again on the current Node LTS.
# Arguments go to both vitest runs (`npm test -- src/store/open-database.test.ts`); it
# exits non-zero when either run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent lint
bash scripts/install-test-deps.sh
# Engines 26.1 and 28.5 (and whatever Debian's suites hold now) for the engine matrix.
bash scripts/fetch-engines.sh
# The current Node LTS from the npm registry, and better-sqlite3 built for it.
bash scripts/fetch-node-lts.sh
npm run --silent build

echo "test: every tier on the machine's Node $(node --version) ($(command -v node))"
status=0
npx vitest run "$@" || status=$?
summary="Node $(node --version): $([ "$status" -eq 0 ] && echo passed || echo "failed (exit $status)")"

# The LTS run: vitest's own entry started by the LTS node, which is also first on PATH, so
# the workers and every CLI a test spawns with process.execPath run on it.
lts_dir=${DOCKWARDEN_NODE_LTS_DIR:-$PWD/.cache/node-lts}
lts_value() { sed -n "s/^$1=//p" "$lts_dir/node-lts.env" 2>/dev/null || true; }
lts_status=0
if [ "$(lts_value RUNNABLE)" != 1 ]; then
  why=$(lts_value WHY)
  echo "test: SKIPPED the run on the Node LTS: ${why:-scripts/fetch-node-lts.sh recorded no Node LTS}"
  summary="$summary; Node LTS: skipped"
elif [ -z "$(lts_value SQLITE_BINDING)" ]; then
  echo "test: FAILED the run on Node $(lts_value NODE_VERSION) (LTS '$(lts_value LTS)') before it started: $(lts_value SQLITE_WHY)"
  lts_status=1
  summary="$summary; Node $(lts_value NODE_VERSION) (LTS): failed (no better-sqlite3 build)"
else
  lts_node=$lts_dir/$(lts_value NODE)
  # Only the unit and integration tiers, unless the arguments pick projects themselves.
  projects=(--project unit --project integration)
  for arg in "$@"; do
    case $arg in --project | --project=*) projects=() ;; esac
  done
  echo "test: unit and integration tiers on Node $("$lts_node" --version) (LTS '$(lts_value LTS)', $lts_node)"
  PATH="$(dirname "$lts_node"):$PATH" DOCKWARDEN_SQLITE_BINDING="$lts_dir/$(lts_value SQLITE_BINDING)" \
    "$lts_node" node_modules/vitest/vitest.mjs run "${projects[@]}" "$@" || lts_status=$?
  summary="$summary; Node $(lts_value NODE_VERSION) (LTS): $([ "$lts_status" -eq 0 ] && echo passed || echo "failed (exit $lts_status)")"
fi
echo "test: $summary"
[ "$status" -eq 0 ] && [ "$lts_status" -eq 0 ]
