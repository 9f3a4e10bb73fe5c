# Shell functions to run the product's server mode on loopback for the load test
# (scripts/loadtest) and the HTTP benchmark (scripts/bench-http); sourced, not run.
# Plain HTTP on loopback: CLIENTELA_HTTPS=false, as for a server behind a proxy that speaks
# plain HTTP; TLS is the proxy's cost, not measured.

server_env() {  # server_env REDIS_URL: the server mode's settings for the web processes
  export CLIENTELA_MODE=server
  export CLIENTELA_SECRET_KEY="loopback-only-$(date +%s)-not-secret-not-reused"
  export CLIENTELA_REDIS_URL="$1"
  export CLIENTELA_HTTPS=false
  export CLIENTELA_ALLOWED_HOSTS=127.0.0.1,localhost
  export CLIENTELA_API_RATE_PER_MINUTE=100000
}

wait_up() {  # wait_up PORT: until the web process on PORT answers /healthz (two minutes)
  for _ in $(seq 1 120); do
    if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen(f'http://127.0.0.1:{sys.argv[1]}/healthz', timeout=2)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "The web process on port $1 did not answer." >&2
  exit 1
}
