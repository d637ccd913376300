#!/usr/bin/env bash
# System packages the test suite needs, from Debian (the only registry besides npm reachable here):
#  - chromium: the end-to-end browser tests (playwright-core drives /usr/bin/chromium)
#  - Mesa 25's lavapipe + the Vulkan loader from bookworm-backports: the WebGPU training path
#    runs on Dawn over software Vulkan in CI (Debian 12's own Mesa 22 gives Dawn no adapter).
# Runs before every `npm test` (package.json "pretest"): silent when everything is there, otherwise
# it says what it installs (as root, or through sudo), or stops with what to install and how.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q '^Version: 25' || need+=(mesa-vulkan-drivers)
dpkg -s libvulkan1 >/dev/null 2>&1 || need+=(libvulkan1)
[ ${#need[@]} -eq 0 ] && exit 0

stop() {
  echo "system-deps: the tests need these Debian packages: ${need[*]} (chromium from bookworm, the Vulkan ones from bookworm-backports)." >&2
  echo "system-deps: $1" >&2
  echo "system-deps: install them with:  sudo bash .ci/system-deps.sh   (or as root: bash .ci/system-deps.sh), then run npm test again." >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || stop "this machine has no apt-get (the script knows Debian 12 only)."
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || stop "you are not root and there is no sudo."
  sudo -n true 2>/dev/null || stop "you are not root and sudo asks for a password."
  SUDO=(sudo)
fi

echo "system-deps: installing ${need[*]} with apt-get${SUDO:+ through sudo} (once; later runs find them)…"
if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "system-deps: adding Debian's bookworm-backports suite to apt's sources (for Mesa 25)"
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | "${SUDO[@]}" tee /etc/apt/sources.list.d/backports.sources >/dev/null
fi
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
echo "system-deps: done"
