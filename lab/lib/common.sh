# Shared helpers for the lab scripts (sourced, not executed).
LAB_NS=mailtls-lab
LAB_RUN=${MAILTLS_LAB_RUN:-/run/mailtls-lab}
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_REPO=$(cd "$LAB_DIR/.." && pwd)
LAB_ETC=/etc/netns/$LAB_NS

die() { echo "lab: error: $*" >&2; exit 1; }
log() { echo "lab: $*" >&2; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, daemons)"
}

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$LAB_NS"; }

in_ns() { ip netns exec "$LAB_NS" "$@"; }

# Kill every process inside the namespace, by pid (TERM, then KILL).
kill_ns_processes() {
  ns_exists || return 0
  local pids i
  pids=$(ip netns pids "$LAB_NS" 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  kill -TERM $pids 2>/dev/null || true
  for i in $(seq 1 50); do
    pids=$(ip netns pids "$LAB_NS" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
  for i in $(seq 1 30); do
    pids=$(ip netns pids "$LAB_NS" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    sleep 0.1
  done
  log "warning: processes left in namespace: $pids"
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
