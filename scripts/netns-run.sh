#!/usr/bin/env bash
# Run a command inside a private network namespace, as the WebRTC browser tests need: Chromium
# gathers no ICE candidates on loopback alone, so the namespace gets a veth pair with an address
# (10.200.0.1/24) and a default route that leads nowhere (no traffic leaves the namespace). The
# server, coturn, the simulated robot and Chromium all run inside it; the namespace is deleted on
# exit, whatever happens.
#
#   scripts/netns-run.sh npx playwright test tests/browser/remote-webrtc.spec.ts
#
# Inside, CONTINUON_NETNS names the namespace and CONTINUON_NETNS_IP its address; a test that runs
# as root may add `ip rule` entries there (the ICE-blocked test drops UDP that way).
# Needs root: run as root (CI containers), or with passwordless sudo, which this script uses itself.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args…]" >&2
  exit 64
fi

if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then
    exec sudo -n -E env "PATH=$PATH" "$0" "$@"
  fi
  echo "$0: creating a network namespace needs root (or passwordless sudo)." >&2
  exit 77
fi
command -v ip >/dev/null || { echo "$0: iproute2 (ip) is missing: apt-get install -y iproute2" >&2; exit 69; }

NS="continuon-rtc-$$"
ADDRESS="10.200.0.1"
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip link add v0 type veth peer name v1
ip netns exec "$NS" ip addr add "$ADDRESS/24" dev v0
ip netns exec "$NS" ip link set v0 up
ip netns exec "$NS" ip link set v1 up
ip netns exec "$NS" ip route add default via 10.200.0.254 dev v0

set +e
ip netns exec "$NS" env CONTINUON_NETNS="$NS" CONTINUON_NETNS_IP="$ADDRESS" "$@"
status=$?
set -e
exit "$status"
