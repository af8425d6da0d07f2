#!/usr/bin/env bash
# Installs the Debian packages paxflow needs to build, test and run. Idempotent: packages that are
# already installed are skipped, and apt is only called when something is missing.
# Usage: scripts/setup.sh [--with-fuzz]
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  librdkafka-dev libavro-dev librocksdb-dev libcmocka-dev
  libicu-dev libsodium-dev libjansson-dev libmicrohttpd-dev libcurl4-openssl-dev
  openjdk-17-jdk-headless maven
  jq valgrind clang clang-format libclang-rt-14-dev prometheus curl
  uuid-runtime procps netcat-openbsd python3-matplotlib
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
