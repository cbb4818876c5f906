#!/usr/bin/env bash
# One row of the footprint table: flash and static RAM of the footprint
# firmware, and the stack high-water mark of `authenticate` measured by the
# QEMU firmware built alongside it (both in OUT).
#
# usage: size.sh LLVM_BIN OUT LABEL [MAX_FLASH MAX_RAM MAX_STACK]
# With the three budgets (bytes), exits 1 when any is exceeded.
set -euo pipefail
llvm=$1 out=$2 label=$3 max_flash=${4:-} max_ram=${5:-} max_stack=${6:-}
read -r flash ram < <("$llvm/llvm-size" -A "$out/footprint" | awk '
  $1 == ".vector_table" || $1 == ".text" || $1 == ".rodata" { flash += $2 }
  $1 == ".data" { flash += $2; ram += $2 }
  $1 == ".bss" || $1 == ".uninit" { ram += $2 }
  END { print flash, ram }')
stack=$(timeout 120 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic \
  -semihosting-config enable=on,target=native -kernel "$out/gatekey-qemu" |
  sed -n 's/^stack high-water of authenticate: \([0-9]*\) bytes.*/\1/p')
awk -v l="$label:" -v f="$flash" -v r="$ram" -v s="${stack:-?}" 'BEGIN {
  printf "  %-22s flash %7d B (%5.1f KiB)   RAM %7d B (%5.1f KiB: keys, token buffer)   stack %6s B\n",
    l, f, f / 1024, r, r / 1024, s }'
if [ -n "$max_flash" ]; then
  fail=0
  [ "$flash" -le "$max_flash" ] || { echo "  over budget: flash $flash B > $max_flash B" >&2; fail=1; }
  [ "$ram" -le "$max_ram" ] || { echo "  over budget: RAM $ram B > $max_ram B" >&2; fail=1; }
  [[ "$stack" =~ ^[0-9]+$ ]] && [ "$stack" -le "$max_stack" ] ||
    { echo "  over budget: stack ${stack:-unmeasured} B > $max_stack B" >&2; fail=1; }
  [ "$fail" -eq 0 ] && echo "  within the budget: flash $max_flash B, RAM $max_ram B, stack $max_stack B"
  exit "$fail"
fi
