#!/usr/bin/env bash
# Lint benchmark: builds a corpus of 2,000 realistic skills (≈10 files each, some
# invalid) and times `skillforge lint` over the whole tree (release build).
#
#   bash bench/lint.sh            # plain corpus
#   bash bench/lint.sh --docker   # every skill also has 3 Dockerfile blocks + compose.yaml
#   COUNT=500 RUNS=3 bash bench/lint.sh
#
# Prints min / median wall time over RUNS runs and the peak RSS of one run.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
RUNS=${RUNS:-7}
mode=${1:-}
out=bench/out/lint-corpus${mode:+-docker}-$COUNT
cargo build --release --quiet --bin skillforge --example gen_corpus
if [ ! -d "$out/skills" ]; then
  rm -rf "$out"
  ./target/release/examples/gen_corpus "$out" "$COUNT" $mode >/dev/null
fi
bin=./target/release/skillforge
files=$(find "$out/skills" -type f | wc -l)
echo "corpus: $COUNT skills, $files files ($out)"
"$bin" lint "$out" --format json >/dev/null || true   # warm the page cache
times=()
for _ in $(seq "$RUNS"); do
  s=$(date +%s%N)
  "$bin" lint "$out" --format json >/dev/null || true
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "wall ms over $RUNS runs: min ${sorted[0]}  median ${sorted[$((RUNS / 2))]}  max ${sorted[$((RUNS - 1))]}"
if [ -x /usr/bin/time ]; then
  rss=$( { /usr/bin/time -f '%M' "$bin" lint "$out" --format json >/dev/null; } 2>&1 | tail -n1 || true)
  echo "peak RSS: ${rss} KB"
fi
summary=$("$bin" lint "$out" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["skills"], "skills,", d["summary"])' 2>/dev/null || true)
echo "result: $summary"
