#!/usr/bin/env bash
# Runs one fuzz target for a given time, from the committed seeds
# (corpus/TARGET/seed-*) plus what earlier runs found (target/fuzz-corpus,
# not committed), and prints one line: executions, corpus size, result.
#
# usage: fuzz/run.sh TARGET SECONDS [SANITIZER]   (from the repository root)
set -euo pipefail
target=$1 seconds=$2 sanitizer=${3:-none}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$root/target/fuzz-corpus/$target
log=$root/target/fuzz-logs/$target-$sanitizer.log
mkdir -p "$corpus" "$(dirname "$log")"
seeds=()
[ -d "$root/fuzz/corpus/$target" ] && seeds=("$root/fuzz/corpus/$target")
cd "$root/fuzz"
# cargo-fuzz passes -Z flags to rustc; RUSTC_BOOTSTRAP lets stable take them.
status=0
RUSTC_BOOTSTRAP=1 cargo fuzz run -O -a --sanitizer "$sanitizer" \
  --target-dir "$root/target/fuzz-$sanitizer" "$target" "$corpus" "${seeds[@]}" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  >"$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
size=$(ls "$corpus" | wc -l)
if [ "$status" -ne 0 ]; then
  grep -E "panicked|ERROR|SUMMARY|Test unit written|artifact" "$log" | head -n 20 || tail -n 40 "$log"
  echo "fuzz $target ($sanitizer): FAILED after ${execs:-?} executions (log: $log)"
  exit 1
fi
printf 'fuzz %-17s %-8s %6ss %12s execs  corpus %5s  no crash\n' \
  "$target" "$sanitizer" "$seconds" "${execs:-?}" "$size"
