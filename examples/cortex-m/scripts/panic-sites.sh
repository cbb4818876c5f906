#!/usr/bin/env bash
# Lists the panic call sites that survive optimisation in a firmware ELF,
# each with the crate its code comes from (the innermost frame of the
# inline chain outside Rust's core library), and fails when more than
# MAX of them come from gatekey's own code.
#
# usage: panic-sites.sh ELF MAX   (needs llvm-objdump from the llvm-tools
# component and arm-none-eabi-addr2line from binutils-arm-none-eabi)
set -euo pipefail
elf=$1 max=$2
objdump=$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/llvm-objdump

# Call sites: branches into the panic entry points, from any other function.
sites=$("$objdump" -d -C --no-show-raw-insn "$elf" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = $0; next }
  /\tb[a-z.]*\t/ && /<(core::panicking::|core::option::expect_failed|core::option::unwrap_failed|core::result::unwrap_failed|core::slice::index::|__rustc::rust_begin_unwind)/ {
    if (fn ~ /<(core::panicking::|core::option::|core::result::|core::slice::index::)/) next
    a = $1; sub(/:$/, "", a); print "0x" a }')

total=0 own=0
report=""
for addr in $sites; do
  # addr2line -i: innermost frame first, two lines (function, file:line) each.
  chain=$(arm-none-eabi-addr2line -e "$elf" -f -i -C "$addr" | paste - -)
  origin=$(awk -F'\t' '$2 !~ /\/library\/(core|alloc)\// { print; exit }' <<<"$chain")
  file=${origin#*$'\t'}
  case $file in
    */registry/src/*) crate=$(sed -E 's|.*/registry/src/[^/]*/([^/]+)/.*|\1|' <<<"$file")
                      where=$(sed -E 's|.*/registry/src/[^/]*/[^/]+/||' <<<"$file") ;;
    */core/src/*)     crate=gatekey where=core/src/${file##*/core/src/}; own=$((own + 1)) ;;
    *)                crate=other where=$file ;;
  esac
  outer=$(tail -n1 <<<"$chain" | cut -f1)
  report+=$(printf '  %-24s %-34s in %s' "$crate" "$where" "$outer")$'\n'
  total=$((total + 1))
done
printf '%s' "$report" | sort
echo "panic sites surviving optimisation: $total ($own in gatekey's own code, allowed: $max)"
[ "$own" -le "$max" ]
