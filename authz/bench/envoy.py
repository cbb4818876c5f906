#!/usr/bin/env python3
"""The latency gatekey-authz adds through Envoy, next to jwt_authn's.

Envoy 1.40 (authz/tests/envoy/envoy.yaml, the configuration the tests run)
in front of an nginx `return 200` upstream, with five listeners: `plain`
(no authentication), `http` (ext_authz over HTTP to gatekey-authz), `grpc`
(ext_authz over gRPC), `jwt` (Envoy's native jwt_authn on the same HS256
key) and `floor` (ext_authz over HTTP to a server that allows everything,
the cost of the round trip itself). Each listener gets the same fixed request rate, in
interleaved rounds (the http_latency example: fixed schedule, keep-alive); the figure per listener is the median over rounds of
its p50 and p99, and the added latency is that minus `plain`'s. Exits 1 if
any response is not 200, or if the p99 gatekey-authz adds over gRPC or HTTP
is above TARGET x jwt_authn's (TARGET is 2 unless GATEKEY_BENCH_TARGET
says otherwise; set it to 0 to only report).

Usage: envoy.py ENVOY GATEKEY_AUTHZ HTTP_LATENCY [seconds per run] [rounds] [rate/s]
(HTTP_LATENCY: the authz/examples/http_latency binary, the load generator.)
"""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET = "bench-secret-0123456789abcdef0123456789"
LISTENERS = ["plain", "jwt", "floor", "http", "grpc"]
CONNECTIONS = 4
# The proxy host's processes (Envoy, the upstream, gatekey-authz) share
# CPU 0 and the load generator has CPU 1, so neither steals from the other.
AUTHZ_CPU = os.environ.get("GATEKEY_BENCH_AUTHZ_CPU", "0")
PIN = (os.cpu_count() or 1) >= 2 and os.environ.get("GATEKEY_BENCH_PIN", "1") != "0"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(sub: str) -> str:
    head = b64(b'{"alg":"HS256","typ":"JWT"}')
    claims = b64(json.dumps({"sub": sub, "aud": "mcp", "exp": int(time.time()) + 3600}).encode())
    sig = b64(hmac.new(SECRET.encode(), f"{head}.{claims}".encode(), hashlib.sha256).digest())
    return f"{head}.{claims}.{sig}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listening on 127.0.0.1:{port} after {seconds} s")


def pinned(cpu: str, argv: list[str]) -> list[str]:
    """argv run on the CPUs `cpu` (taskset syntax), when the machine has two or more."""
    return ["taskset", "-c", cpu, *argv] if PIN else argv


def measure(tool: str, port: int, token: str, seconds: int, rate: int) -> tuple[float, float]:
    """p50 and p99 in microseconds of one fixed-rate run of the http_latency example."""
    out = subprocess.run(
        pinned("1", [tool, str(port), "/mcp", token, str(seconds), str(rate), str(CONNECTIONS)]),
        capture_output=True, text=True, timeout=seconds + 30,
    )
    if out.returncode != 0:
        raise SystemExit(f"port {port}: {out.stderr.strip()}")
    fields = dict(kv.split("=") for kv in out.stdout.split())
    return float(fields["p50"]), float(fields["p99"])


def with_floor_listener(yaml: str) -> str:
    """The tested configuration plus a listener `floor`: the `http` one, with
    ext_authz sent to the upstream (nginx answering 200 to anything) instead
    of gatekey-authz. What it adds is what the ext_authz round trip costs
    inside Envoy whatever the server does; gatekey-authz's own share is the
    difference between `http` and `floor`."""
    start, end = yaml.index("  - name: http\n"), yaml.index("  - name: grpc\n")
    floor = (yaml[start:end]
             .replace("name: http\n", "name: floor\n", 1)
             .replace("@ENVOY_HTTP@", "@ENVOY_FLOOR@")
             .replace("stat_prefix: http", "stat_prefix: floor")
             .replace('"http://127.0.0.1:@AUTHZ_HTTP@", cluster: authz_http',
                      '"http://127.0.0.1:@ECHO@", cluster: echo'))
    assert "@ENVOY_FLOOR@" in floor and "cluster: echo" in floor, "envoy.yaml changed shape"
    at = yaml.index("  clusters:\n")
    return yaml[:at] + floor + yaml[at:]


def main() -> int:
    envoy, authz, tool = sys.argv[1], sys.argv[2], sys.argv[3]
    seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    rate = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
    target = float(os.environ.get("GATEKEY_BENCH_TARGET", "2"))
    tmp = Path(tempfile.mkdtemp(prefix="gatekey-bench-envoy-"))
    ports = {name: free_port() for name in
             ["ADMIN", "ENVOY_HTTP", "ENVOY_GRPC", "ENVOY_JWT", "ENVOY_PLAIN", "ENVOY_FLOOR",
              "ECHO", "AUTHZ_HTTP", "AUTHZ_GRPC"]}
    procs = []
    try:
        (tmp / "nginx.conf").write_text(
            "worker_processes 1; daemon off; pid %s/nginx.pid; error_log stderr error;\n"
            "events {}\nhttp { access_log off; server { listen 127.0.0.1:%d;\n"
            "  location / { return 200 \"ok\\n\"; } } }\n" % (tmp, ports["ECHO"]))
        nginx = "nginx" if subprocess.run(["sh", "-c", "command -v nginx"],
                                          capture_output=True).returncode == 0 else "/usr/sbin/nginx"
        procs.append(subprocess.Popen(pinned("0", [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf")]),
                                      stderr=subprocess.DEVNULL))
        (tmp / "authz.toml").write_text(
            f'[listen]\nhttp = "127.0.0.1:{ports["AUTHZ_HTTP"]}"\n'
            f'grpc = "127.0.0.1:{ports["AUTHZ_GRPC"]}"\n'
            f'[keys]\nhs256_secret = "{SECRET}"\n[options]\naudience = "mcp"\ncache_size = 1024\n')
        procs.append(subprocess.Popen(pinned(AUTHZ_CPU, [authz, "--config", str(tmp / "authz.toml")]),
                                      stderr=subprocess.DEVNULL))
        jwks = json.dumps({"keys": [{"kty": "oct", "k": b64(SECRET.encode()), "alg": "HS256"}]})
        yaml = with_floor_listener((HERE.parent / "tests" / "envoy" / "envoy.yaml").read_text())
        for name, value in {**{k: str(v) for k, v in ports.items()}, "JWKS": json.dumps(jwks)}.items():
            yaml = yaml.replace(f"@{name}@", value)
        (tmp / "envoy.yaml").write_text(yaml)
        procs.append(subprocess.Popen(
            pinned("0", [envoy, "-c", str(tmp / "envoy.yaml"), "--use-dynamic-base-id",
                         "--log-level", "error", "--concurrency", "1"]),
            stdout=subprocess.DEVNULL, stderr=open(tmp / "envoy.log", "w")))
        for name in ["ECHO", "AUTHZ_HTTP", "AUTHZ_GRPC", "ENVOY_PLAIN", "ENVOY_JWT",
                     "ENVOY_FLOOR", "ENVOY_HTTP", "ENVOY_GRPC"]:
            wait_port(ports[name])
        token = hs256_token("bench")
        port_of = {"plain": ports["ENVOY_PLAIN"], "jwt": ports["ENVOY_JWT"],
                   "floor": ports["ENVOY_FLOOR"],
                   "http": ports["ENVOY_HTTP"], "grpc": ports["ENVOY_GRPC"]}
        for name in LISTENERS:  # warm every path: connections, caches
            measure(tool, port_of[name], token, 1, rate)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in LISTENERS}
        for _ in range(rounds):
            for name in LISTENERS:
                runs[name].append(measure(tool, port_of[name], token, seconds, rate))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    med = {name: (statistics.median(r[0] for r in runs[name]),
                  statistics.median(r[1] for r in runs[name])) for name in LISTENERS}
    base50, base99 = med["plain"]
    label = {"plain": "no authentication", "jwt": "jwt_authn (native)",
             "floor": "ext_authz HTTP -> always-200 server",
             "http": "ext_authz HTTP -> gatekey-authz", "grpc": "ext_authz gRPC -> gatekey-authz"}
    print(f"Envoy 1.40, --concurrency 1, {rate} requests/s on {CONNECTIONS} keep-alive connections, "
          f"{rounds} rounds x {seconds} s per listener, medians over rounds, microseconds")
    print(f"{'listener':34} {'p50':>7} {'p99':>7} {'added p50':>10} {'added p99':>10}")
    for name in LISTENERS:
        p50, p99 = med[name]
        print(f"{label[name]:34} {p50:7.1f} {p99:7.1f} {p50 - base50:10.1f} {p99 - base99:10.1f}")
    jwt_added = max(med["jwt"][1] - base99, 1.0)
    failed = False
    for name in ["http", "grpc"]:
        ratio = (med[name][1] - base99) / jwt_added
        print(f"added p99, {label[name]} / jwt_authn: {ratio:.2f}x (target <= {target:g}x)")
        failed |= target > 0 and ratio > target
    floor_added = med["floor"][1] - base99
    print(f"gatekey-authz's own share of the HTTP ext_authz p99: "
          f"{med['http'][1] - med['floor'][1]:.1f} us over the always-200 server "
          f"(whose round trip alone adds {floor_added:.1f} us, "
          f"{floor_added / jwt_added:.2f}x jwt_authn's)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
