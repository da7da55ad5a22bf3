#!/usr/bin/env bash
# Installs, from Debian's packages, what the sandbox engine needs when it is missing:
# dockerd (docker.io), a static busybox for test images, mkfs for xfs and btrfs, the
# namespace tools the sandbox uses, rsync + shellcheck for the plan tests, chromium
# with a font for the browser tests, and promtool for the deploy tests.
# It never starts or configures the host's own Docker service, nor leaves a Prometheus
# server running or enabled.
set -euo pipefail
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
# a dynamically linked busybox (package busybox) cannot run inside a bare test image
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
command -v mkfs.xfs >/dev/null 2>&1 || need+=(xfsprogs)
command -v mkfs.btrfs >/dev/null 2>&1 || need+=(btrfs-progs)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
# dockwarden plan: its overlay2 script copies the data root with rsync, and the tests
# check every generated script with shellcheck
command -v rsync >/dev/null 2>&1 || need+=(rsync)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# the sandbox runs dockerd in its own network namespace (nsenter ... ip link set lo up)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
# browser tests: playwright-core drives Debian's chromium (test/support/browser.ts) rather
# than a browser playwright downloads; without a font, screenshots render text as boxes
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'install ok installed' || need+=(fonts-dejavu-core)
# deploy tests: promtool checks and unit-tests deploy/prometheus/. Debian ships it only in
# the prometheus package, whose server is disabled again below; the tests also use unshare
# (util-linux) and the docker CLI's `stack config`.
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
# Podman as a third engine (src/sandbox/podman.ts, test/integration/podman.test.ts):
# `podman system service` answers the Docker API. As root without systemd it runs
# containers through conmon and an OCI runtime (crun; docker.io's runc where crun refuses
# a hybrid cgroup hierarchy), catatonit is its init, and netavark its network stack.
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v conmon >/dev/null 2>&1 || need+=(conmon)
command -v crun >/dev/null 2>&1 || need+=(crun)
command -v catatonit >/dev/null 2>&1 || need+=(catatonit)
dpkg-query -W -f='${Status}' netavark 2>/dev/null | grep -q 'install ok installed' || need+=(netavark)
# remote-engine tests (test/integration/remote.test.ts): an ssh:// engine through Debian's
# sshd on loopback in a sandbox's network namespace (the package's own ssh service is
# disabled again below), ssh-agent/ssh-add/ssh-keygen, and openssl for the TLS certificates
[ -x /usr/sbin/sshd ] || command -v sshd >/dev/null 2>&1 || need+=(openssh-server)
command -v ssh-agent >/dev/null 2>&1 || need+=(openssh-client)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${need[*]}; run as root or install them: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-test-deps: installing ${need[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
# needrestart's apt hook, where installed, prints perl warnings without a terminal
export NEEDRESTART_SUSPEND=1
apt-get update -qq
# policy-rc.d keeps the package's own docker.service from starting on hosts that honour it
# (invoke-rc.d and deb-systemd-invoke both do); one that exits 101 is put in place for the
# install where the host has none.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The prometheus package enables its server at boot (systemd unit and SysV links); only
# promtool was wanted. systemctl disable also works without systemd running, and syncs
# the SysV links.
if [[ " ${need[*]} " == *" prometheus "* ]]; then
  if [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  elif command -v systemctl >/dev/null 2>&1; then
    systemctl disable prometheus.service >/dev/null 2>&1 || true
  else
    update-rc.d prometheus disable >/dev/null 2>&1 || true
  fi
fi
# The podman package enables its API socket, its service, podman-restart and the
# auto-update timer at boot; the sandbox runs its own `podman system service` and the
# host was not asked for one.
if [[ " ${need[*]} " == *" podman "* ]] && command -v systemctl >/dev/null 2>&1; then
  podman_units=(podman.socket podman.service podman-restart.service podman-auto-update.timer podman-auto-update.service)
  if [ -d /run/systemd/system ]; then
    systemctl disable --now "${podman_units[@]}" >/dev/null 2>&1 || true
  else
    systemctl disable "${podman_units[@]}" >/dev/null 2>&1 || true
  fi
fi
# The openssh-server package enables (and, where policy-rc.d allows, starts) the host's
# ssh service; the tests start their own sshd with a private config and want no other.
if [[ " ${need[*]} " == *" openssh-server "* ]]; then
  if [ -d /run/systemd/system ]; then
    systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
  elif command -v systemctl >/dev/null 2>&1; then
    systemctl disable ssh.service ssh.socket >/dev/null 2>&1 || true
  fi
  if command -v update-rc.d >/dev/null 2>&1; then
    update-rc.d ssh disable >/dev/null 2>&1 || true
  fi
fi
