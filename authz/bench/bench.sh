#!/usr/bin/env bash
# Cached decisions per second of gatekey-authz, direct over HTTP/1.1
# keep-alive: one HS256 token, cache on, wrk bounded in time. Usage:
# bench.sh path/to/gatekey-authz [seconds] [connections]
set -euo pipefail
bin=$1; secs=${2:-5}; conns=${3:-32}
dir=$(mktemp -d); trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
secret=bench-secret-0123456789abcdef0123456789
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$dir/c.toml" <<TOML
[listen]
http = "127.0.0.1:$port"
[keys]
hs256_secret = "$secret"
[options]
audience = "mcp"
cache_size = 1024
TOML
token=$(python3 - "$secret" <<'PY'
import base64, hmac, hashlib, json, sys, time
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
h = b(b'{"alg":"HS256"}'); c = b(json.dumps({"sub": "bench", "aud": "mcp", "exp": int(time.time()) + 3600}).encode())
s = b(hmac.new(sys.argv[1].encode(), f"{h}.{c}".encode(), hashlib.sha256).digest())
print(f"{h}.{c}.{s}")
PY
)
"$bin" --config "$dir/c.toml" 2>/dev/null & pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break || sleep 0.1; done
timeout $((secs + 10)) wrk -t2 -c"$conns" -d"${secs}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/check"
