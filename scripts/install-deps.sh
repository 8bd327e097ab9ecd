#!/usr/bin/env bash
# Installs the Debian 12 packages Custos builds against, only those that are missing.
set -euo pipefail
packages=(build-essential cmake pkg-config libgmp-dev libsecp256k1-dev libssl-dev
  libprotobuf-dev protobuf-compiler catch2 libbenchmark-dev nlohmann-json3-dev
  libcbor-dev libcli11-dev libsqlite3-dev libyaml-cpp-dev libzmq3-dev libsodium-dev
  cppzmq-dev libcpp-httplib-dev libspdlog-dev valgrind)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
