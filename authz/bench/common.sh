# Shared by the gatekey-authz benchmarks: a free port, an HS256 token, a
# gatekey-authz started on a config and waited for. Sourced, not run.
secret=bench-secret-0123456789abcdef0123456789

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# hs256_token SUB: a token for audience "mcp", valid for an hour.
hs256_token() {
  python3 - "$secret" "$1" <<'PY'
import base64, hmac, hashlib, json, sys, time
b = lambda d: base64.urlsafe_b64encode(d).rstrip(b"=").decode()
h = b(b'{"alg":"HS256","typ":"JWT"}')
c = b(json.dumps({"sub": sys.argv[2], "aud": "mcp", "exp": int(time.time()) + 3600}).encode())
s = b(hmac.new(sys.argv[1].encode(), f"{h}.{c}".encode(), hashlib.sha256).digest())
print(f"{h}.{c}.{s}")
PY
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listening on 127.0.0.1:$1" >&2
  return 1
}

# authz_config HTTP_PORT GRPC_PORT CACHE_SIZE: a gatekey-authz config on
# the bench secret.
authz_config() {
  cat <<TOML
[listen]
http = "127.0.0.1:$1"
grpc = "127.0.0.1:$2"
[keys]
hs256_secret = "$secret"
[options]
audience = "mcp"
cache_size = $3
TOML
}
