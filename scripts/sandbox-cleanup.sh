#!/usr/bin/env bash
# Removes dockwarden sandboxes (/tmp/dw-<8 hex>) that a killed test run or demo left
# behind: kills their dockerd (by pidfile), containerd (its own or a separate one) and
# shims, or their Podman service with conmon and its runtime, unmounts, detaches the loop
# devices, deletes the directory. Plain bash, so it works when node does not.
#   scripts/sandbox-cleanup.sh            abandoned ones: owner process dead, or detached
#                                         (scripts/sandbox start) with its dockerd gone
#   scripts/sandbox-cleanup.sh --all      every sandbox, live ones included
#   scripts/sandbox-cleanup.sh DIR...     these sandboxes
# Only processes whose arguments name the sandbox directory (or its containerd
# namespace) are signalled; the host's own Docker is never touched.
set -uo pipefail

log() { echo "sandbox-cleanup: $*" >&2; }

is_sandbox_dir() { [[ "$1" =~ ^/tmp/dw-[0-9a-f]{8}$ ]] && [ -d "$1" ] && grep -qx 'DW_SANDBOX=1' "$1/sandbox.env" 2>/dev/null; }

marker_value() { sed -n "s/^$2=\([0-9]*\)$/\1/p" "$1/sandbox.env" 2>/dev/null; }

# Field 22 of /proc/PID/stat (start time) tells a process from a later one with its pid.
alive() {
  local pid=$1 start=${2:-} stat rest
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  [ "$1" != Z ] && [ "$1" != X ] || return 1
  [ -z "$start" ] || [ "${20}" = "$start" ]
}

argv_of() { tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null; }

dockerd_pid() {
  local dir=$1 pid
  pid=$(cat "$dir/docker.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  # A stale pidfile may name a pid that now belongs to something else.
  [ "$(basename "$(argv_of "$pid" | head -n1)")" = dockerd ] && argv_of "$pid" | grep -qxF "unix://$dir/docker.sock" || return 1
  echo "$pid"
}

# A Podman sandbox's service: `podman ... system service ... unix://DIR/podman.sock`.
podman_pid() {
  local dir=$1 p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = podman ] || continue
    argv_of "${p#/proc/}" | grep -qxF "unix://$dir/podman.sock" && { echo "${p#/proc/}"; return 0; }
  done
  return 1
}

abandoned() {
  local dir=$1 owner start
  owner=$(marker_value "$dir" OWNER_PID)
  start=$(marker_value "$dir" OWNER_START)
  if [ -n "$owner" ]; then ! alive "$owner" "$start"; else ! dockerd_pid "$dir" >/dev/null && ! podman_pid "$dir" >/dev/null; fi
}

# dockerd, containerd and shims of this sandbox, then everything below the shims.
own_processes() {
  local dir=$1 ns="dw-${1#/tmp/dw-}" p pid args
  local comm
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    # comm first (no fork): only daemon processes are candidates. It is cut to 15
    # characters, so containerd-shim-runc-v2 shows as containerd-shim.
    read -r comm <"$p/comm" 2>/dev/null || continue
    case "$comm" in dockerd | containerd | containerd-shim* | docker-proxy | runc | podman | conmon | crun | catatonit) ;; *) continue ;; esac
    args=$(argv_of "$pid") || continue
    if grep -qF "$dir/" <<<"$args" || grep -A1 -x -- '-namespace' <<<"$args" | grep -qxE -- "$ns(-p)?"; then
      descendants "$pid"
      echo "$pid"
    fi
  done
}

descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    descendants "$child"
    echo "$child"
  done
}

mounts_under() {
  awk '{print $5}' /proc/self/mountinfo | grep -E "^$1(/|$)" | awk -F/ '{print NF" "$0}' | sort -rn | cut -d' ' -f2- | uniq
}

teardown() {
  local dir=$1 sock pid m left
  log "removing $dir"
  # Kill containers first: busybox sleep as PID 1 ignores SIGTERM, so dockerd would wait
  # each one's 10 s stop timeout. Podman answers the same API on its own socket.
  for sock in "$dir/docker.sock" "$dir/podman.sock"; do
    if ! [ -S "$sock" ] || ! command -v docker >/dev/null 2>&1; then continue; fi
    local -a d=(env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH DOCKER_CONFIG="$dir/cli" DOCKER_HOST="unix://$sock" timeout 15 docker)
    [ "${sock##*/}" = docker.sock ] && "${d[@]}" swarm leave --force >/dev/null 2>&1
    "${d[@]}" ps -q 2>/dev/null | xargs -r "${d[@]}" kill >/dev/null 2>&1
  done
  for pid in $(dockerd_pid "$dir") $(podman_pid "$dir"); do
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 200); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then log "$(basename "$(argv_of "$pid" | head -n1)") $pid ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null; fi
  done
  for _ in $(seq 50); do
    left=$(own_processes "$dir")
    [ -z "$left" ] && break
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null
    sleep 0.1
  done
  for _ in $(seq 20); do
    left=$(mounts_under "$dir")
    [ -z "$left" ] && break
    while read -r m; do umount "$m" 2>/dev/null; done <<<"$left"
    sleep 0.2
  done
  while read -r m; do [ -n "$m" ] && { log "unmounting $m lazily"; umount -l "$m"; }; done < <(mounts_under "$dir")
  for img in "$dir"/*.img; do
    losetup -j "$img" 2>/dev/null | cut -d: -f1 | while read -r dev; do losetup -d "$dev"; done
  done
  if [ -n "$(mounts_under "$dir")" ]; then
    log "could not unmount everything under $dir; leaving it in place"
    return 1
  fi
  rm -rf "$dir"
}

[ "$(id -u)" -eq 0 ] || { log "must run as root (sandboxes are loop mounts owned by root)"; exit 1; }

all=0
dirs=()
for arg in "$@"; do
  case "$arg" in
    --all) all=1 ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) dirs+=("$(realpath -m "$arg")") ;;
  esac
done

status=0
if [ ${#dirs[@]} -gt 0 ]; then
  for dir in "${dirs[@]}"; do
    if is_sandbox_dir "$dir"; then teardown "$dir" || status=1; else log "$dir is not a sandbox directory"; status=1; fi
  done
else
  for dir in /tmp/dw-*; do
    is_sandbox_dir "$dir" || continue
    if [ $all -eq 1 ] || abandoned "$dir"; then teardown "$dir" || status=1; fi
  done
fi
exit $status
