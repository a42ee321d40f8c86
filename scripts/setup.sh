#!/usr/bin/env bash
# Installs, idempotently, everything tsdock and its tests need on Debian 12 as root, then
# builds. Safe to run again: packages already present are not fetched twice.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

# runtime stack (runc, conmon, CNI, catatonit), test bed (registry, skopeo, umoci, busybox,
# htpasswd, setfattr, jq, openssl), TUI testing (tmux) and peers for benchmarks (podman, hyperfine).
PACKAGES=(runc conmon containernetworking-plugins catatonit docker-registry skopeo umoci
  busybox-static apache2-utils attr jq openssl curl tmux hyperfine podman iproute2 iptables)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm ci installs exactly the lock file; npm 11 finds it incomplete because node-unix-socket
  # names per-platform optional packages that were never published (so no lock can hold them):
  # then a plain install from the same lock, whose own errors are shown.
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || {
    echo "setup: npm ci refused the lock file; running npm install instead" >&2
    npm install --no-audit --no-fund --loglevel=error
  }
fi
npm run --silent build
