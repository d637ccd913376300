#!/usr/bin/env bash
# System packages the test suite needs, from Debian (the only registry besides npm reachable here):
#  - chromium: the end-to-end browser test (playwright-core drives /usr/bin/chromium)
#  - Mesa 25's lavapipe + the Vulkan loader from bookworm-backports: the WebGPU training path
#    runs on Dawn over software Vulkan in CI (Debian 12's own Mesa 22 gives Dawn no adapter).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 25' || need+=(mesa-vulkan-drivers)
dpkg -s libvulkan1 >/dev/null 2>&1 || need+=(libvulkan1)
[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $SUDO tee /etc/apt/sources.list.d/backports.sources >/dev/null
fi
$SUDO apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
