#!/usr/bin/env bash
# Fetches today's Docker engines from Debian's own archive for the integration tests:
# docker.io + containerd from Debian 13 ("trixie", Engine 26.1 + containerd 1.7) and from
# Debian's unstable suite ("sid", Engine 28.5 + containerd 2.1 when this was written).
#
# Nothing is installed: each suite gets a private apt configuration (its own sources
# file, lists and cache directories, the host's mirror), `apt-get download` fetches the
# two .debs and `dpkg-deb -x` unpacks them into a prefix under $DOCKWARDEN_ENGINES_DIR
# (default .cache/engines). The host's packages, /etc/apt and dpkg's database are never
# touched. Their suites' runc needs a newer glibc than Debian 12's, so the sandbox runs
# them with the host's runc (Debian 12's docker.io brings runc 1.1.5).
#
# Each prefix gets an engine.env (SUITE, DOCKER_VERSION, CONTAINERD_VERSION, RUNNABLE,
# WHY) that src/sandbox/engines.ts reads. A suite that offers no runnable build (sid
# moves) is recorded as RUNNABLE=0 with the reason in one line, and its tests skip.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${DOCKWARDEN_ENGINES_DIR:-$PWD/.cache/engines}
suites=${DOCKWARDEN_ENGINE_SUITES:-trixie sid}
mkdir -p "$dest"

# The host's Debian mirror: the first URI of a deb source that serves the main archive
# (deb822 .sources files or one-line sources.list), else deb.debian.org.
host_mirror() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  local f uri
  for f in "${files[@]}"; do
    [ -r "$f" ] || continue
    uri=$(sed -nE 's/^URIs:[[:space:]]*([^[:space:]]+\/debian\/?)([[:space:]].*)?$/\1/p; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+\/debian\/?)[[:space:]].*$/\2/p' "$f" | head -n1)
    if [ -n "$uri" ]; then echo "${uri%/}"; return; fi
  done
  echo http://deb.debian.org/debian
}
mirror=$(host_mirror)

# Writes engine.env for a suite; RUNNABLE=0 with WHY says why its tests are skipped.
record() {
  local dir=$1 suite=$2 docker=$3 containerd=$4 runnable=$5 why=$6
  printf 'SUITE=%s\nMIRROR=%s\nDOCKER_VERSION=%s\nCONTAINERD_VERSION=%s\nRUNNABLE=%s\nWHY=%s\n' \
    "$suite" "$mirror" "$docker" "$containerd" "$runnable" "$why" >"$dir/engine.env.tmp"
  mv "$dir/engine.env.tmp" "$dir/engine.env"
}

fetch_suite() {
  local suite=$1
  local dir=$dest/$suite apt=$dest/$suite/apt
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$dir/debs"
  cat >"$apt/sources.list.d/$suite.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local opts=(
    -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=/dev/null"
    -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1" -o "Acquire::Retries=3"
  )
  if ! apt-get "${opts[@]}" -qq update >"$apt/update.log" 2>&1; then
    record "$dir" "$suite" "" "" 0 "apt-get update for $suite at $mirror failed: $(grep -m1 -E '^(E|W):' "$apt/update.log" || tail -n1 "$apt/update.log")"
    return
  fi
  local docker containerd
  docker=$(apt-cache "${opts[@]}" show --no-all-versions docker.io 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
  containerd=$(apt-cache "${opts[@]}" show --no-all-versions containerd 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
  if [ -z "$docker" ] || [ -z "$containerd" ]; then
    record "$dir" "$suite" "$docker" "$containerd" 0 "$suite offers no docker.io and containerd pair at $mirror"
    return
  fi
  # Unpacked already at these versions: nothing to fetch.
  if [ -f "$dir/engine.env" ] && grep -qx "DOCKER_VERSION=$docker" "$dir/engine.env" && grep -qx "CONTAINERD_VERSION=$containerd" "$dir/engine.env" && grep -qx 'RUNNABLE=1' "$dir/engine.env"; then
    echo "fetch-engines: $suite: docker.io $docker, containerd $containerd (already here)" >&2
    return
  fi
  rm -rf "$dir/root" "$dir/debs"/*.deb
  if ! (cd "$dir/debs" && apt-get "${opts[@]}" -qq download "docker.io=$docker" "containerd=$containerd" >"$apt/download.log" 2>&1); then
    record "$dir" "$suite" "$docker" "$containerd" 0 "apt-get download of docker.io $docker and containerd $containerd failed: $(tail -n1 "$apt/download.log")"
    return
  fi
  mkdir -p "$dir/root"
  for deb in "$dir/debs"/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
  # Runnable here means both daemons start far enough to print their versions (a build
  # against a newer glibc fails right there).
  local out
  if ! out=$("$dir/root/usr/sbin/dockerd" --version 2>&1); then
    record "$dir" "$suite" "$docker" "$containerd" 0 "dockerd $docker from $suite does not run on this host: $(echo "$out" | head -n1)"
    return
  fi
  if ! out=$("$dir/root/usr/bin/containerd" --version 2>&1); then
    record "$dir" "$suite" "$docker" "$containerd" 0 "containerd $containerd from $suite does not run on this host: $(echo "$out" | head -n1)"
    return
  fi
  record "$dir" "$suite" "$docker" "$containerd" 1 ""
  echo "fetch-engines: $suite: docker.io $docker, containerd $containerd unpacked in $dir/root" >&2
}

for suite in $suites; do
  fetch_suite "$suite"
  if grep -qx 'RUNNABLE=0' "$dest/$suite/engine.env"; then
    echo "fetch-engines: $suite skipped: $(sed -n 's/^WHY=//p' "$dest/$suite/engine.env")" >&2
  fi
done
