#!/usr/bin/env bash
# Instructions per call of the request hot path, counted by callgrind:
# repeatable whatever else the machine is doing, unlike wall-clock time.
# Each case runs 1 and 1+N times; the difference divided by N leaves out
# the set-up (key loading, the first, uncached verification).
# Note: valgrind hides SHA-NI, so the SHA-256 of a cache hit is counted in
# its portable form here, several times what the hardware path costs.
set -euo pipefail
N=${N:-10000}
cargo build -q --release -p gatekey-benches --example hot_path --features hosted
bin=target/release/examples/hot_path
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for case in resolve cached host-cached hs256; do
    one=$(count "$case" 1)
    many=$(count "$case" $((N + 1)))
    echo "$case: $(((many - one) / N)) instructions per call"
done
