#!/usr/bin/env bash
# Decisions per second per core of gatekey-authz, called directly: the
# server pinned to CPU 0 (so its runtime has one worker thread), the load
# generator to CPU 1; HTTP/1.1 keep-alive with wrk and gRPC Check with the
# grpc_load example, each on a cached server (cache_size 1024: every check
# after the first is a hit) and an uncached one (cache_size 0: every check
# verifies the HS256 signature and the claims). Bounded in time. Usage:
# bench.sh BIN GRPC_LOAD [seconds] [connections]
set -euo pipefail
bin=$1; grpc_load=$2; secs=${3:-5}; conns=${4:-32}
here=$(dirname "$0"); . "$here/common.sh"
dir=$(mktemp -d); pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
token=$(hs256_token bench)
cpus=$(nproc)
pin_server=(); pin_load=()
if [ "$cpus" -ge 2 ]; then pin_server=(taskset -c 0); pin_load=(taskset -c 1); fi

for cache in 1024 0; do
  http=$(free_port); grpc=$(free_port)
  authz_config "$http" "$grpc" "$cache" > "$dir/c-$cache.toml"
  "${pin_server[@]}" "$bin" --config "$dir/c-$cache.toml" 2>/dev/null & pids+=($!)
  wait_port "$http"; wait_port "$grpc"
  label=$([ "$cache" = 0 ] && echo "uncached (cache_size 0)" || echo "cached")
  echo "== $label, HTTP forward auth, wrk -t1 -c$conns ${secs}s, server on 1 core"
  out=$(timeout $((secs + 10)) "${pin_load[@]}" wrk -t1 -c"$conns" -d"${secs}s" \
    -H "Authorization: Bearer $token" "http://127.0.0.1:$http/check")
  echo "$out" | grep -E "Requests/sec|Non-2xx|Latency" || true
  if echo "$out" | grep -q "Non-2xx"; then echo "refusals in a run of valid tokens" >&2; exit 1; fi
  echo "== $label, gRPC Check, 2 connections x 16 streams, ${secs}s, server on 1 core"
  timeout $((secs + 10)) "${pin_load[@]}" "$grpc_load" "127.0.0.1:$grpc" "$token" "$secs" 2 16
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done
