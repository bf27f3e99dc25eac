#!/bin/sh
# Records unbound's responses over the ldns-signed zones (run as root; uses a throwaway network namespace).
set -eu
cd "$(dirname "$0")"
here=$(pwd)
work=$(mktemp -d)
ns=mailtls-dnstest
sed "s#@DIR@#$here#g; s#@WORK@#$work#g" unbound.conf.in > "$work/unbound.conf"
ip netns add $ns
trap 'kill $(cat "$work/unbound.pid") 2>/dev/null || true; ip netns del $ns; rm -rf "$work"' EXIT
ip netns exec $ns ip link set lo up
ip netns exec $ns unbound -c "$work/unbound.conf" &
sleep 2
ip netns exec $ns python3 capture.py 127.0.0.1 > unbound-responses.txt
