#!/usr/bin/env bash
# Hostile-input timings (issue 15, defect 6): one SKILL.md line holding N inline-code
# spans (ASCII and non-ASCII), linted and tested. Prints wall seconds per size so that
# growth is visible: linear code doubles with N, quadratic code quadruples.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin skillforge
bin="$PWD/target/release/skillforge"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/s"
printf '%-10s %-6s %10s %10s\n' spans text lint_s test_s
for n in 100000 200000 400000 800000; do
  for kind in ascii utf8; do
    python3 - "$work/s/SKILL.md" "$n" "$kind" <<'PY'
import sys
path, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
unit = '`a` ' if kind == 'ascii' else '`é` '
open(path, 'w').write('---\nname: s\ndescription: A skill with one very long line of inline code.\n---\n# T\n\n' + unit * n + '\n')
PY
    t0=$(date +%s.%N); "$bin" lint "$work/s" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    "$bin" test "$work/s" --lesson 1 >/dev/null 2>&1 || true; t2=$(date +%s.%N)
    printf '%-10s %-6s %10.2f %10.2f\n' "$n" "$kind" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  done
done
