# Sourced by the bench/serve_*.sh scripts: wait_for_serve LOG waits (up to 2 minutes) until
# the `axon serve` writing LOG says it is ready and prints its HTTP port; if it never is,
# it prints LOG on stderr and fails (the scripts run with set -e, so they stop there).
wait_for_serve() {
  local log=$1
  for _ in $(seq 1200); do grep -q "ready" "$log" && break; sleep 0.1; done
  grep -q "ready" "$log" || { cat "$log" >&2; return 1; }
  sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log"
}
