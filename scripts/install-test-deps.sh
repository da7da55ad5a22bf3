#!/usr/bin/env bash
# Installs, from Debian's packages, what the sandbox engine needs when it is missing:
# dockerd (docker.io), a static busybox for test images, and mkfs for xfs and btrfs.
# It never starts or configures the host's own Docker service.
set -euo pipefail
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sleep || need+=(busybox-static)
command -v mkfs.xfs >/dev/null 2>&1 || need+=(xfsprogs)
command -v mkfs.btrfs >/dev/null 2>&1 || need+=(btrfs-progs)
command -v mkfs.ext4 >/dev/null 2>&1 || need+=(e2fsprogs)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${need[*]}; run as root or install them: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "install-test-deps: installing ${need[*]} from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the package's own docker.service from starting on hosts that honour it.
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
