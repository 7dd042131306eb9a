#!/usr/bin/env bash
# Debian packages the test suite drives: Chromium for browser tests, Python with NumPy and Jupyter
# for the notebooks, coturn for the TURN test. Installs the missing ones with apt-get when it can
# (root, or passwordless sudo); otherwise prints the command to run.
set -euo pipefail

PACKAGES=(chromium python3-numpy python3-nbformat python3-nbconvert python3-ipykernel python3-cryptography python3-requests python3-pytest jupyter-nbconvert coturn iproute2)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages the tests need: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "Run this once, then npm test again:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# coturn's package starts a system service on install; the tests start their own instance.
$SUDO systemctl disable --now coturn >/dev/null 2>&1 || true
