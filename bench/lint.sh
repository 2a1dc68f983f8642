#!/usr/bin/env bash
# Lint benchmark: builds a corpus of 2,000 realistic skills (≈10 files each, some
# invalid) and times `skillforge lint` over the whole tree (release build, every rule
# on, JSON output), side by side with peer linters when they are installed:
#   skilo  (cargo install skilo --locked)      `skilo lint --format json CORPUS`
#   agnix  (cargo install agnix-cli --locked)  `agnix --format json --max-files 0 CORPUS`
#
#   bash bench/lint.sh            # plain corpus
#   bash bench/lint.sh --docker   # every skill also has 3 Dockerfile blocks + compose.yaml
#   COUNT=500 RUNS=3 bash bench/lint.sh
#   SKILLFORGE=/path/to/other/skillforge bash bench/lint.sh   # e.g. an older build
#   NO_BUILD=1 bash bench/lint.sh   # use the binaries as they are
#
# Prints, per tool, min / median / max wall time over RUNS interleaved runs and the
# peak RSS (median of RUNS runs of /usr/bin/time), then the ratios skillforge / peer. Absolute
# times depend on the machine; compare the ratios (same corpus, same run).
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
RUNS=${RUNS:-7}
mode=${1:-}
out=bench/out/lint-corpus${mode:+-docker}-$COUNT
target=${CARGO_TARGET_DIR:-target}
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --bin skillforge --example gen_corpus
if [ ! -d "$out/skills" ]; then
  rm -rf "$out"
  "$target"/release/examples/gen_corpus "$out" "$COUNT" $mode >/dev/null
fi
bin=${SKILLFORGE:-$target/release/skillforge}
files=$(find "$out/skills" -type f | wc -l)
echo "corpus: $COUNT skills, $files files ($out)"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The tools and their commands (a command is one string, split on spaces; the corpus
# path holds none).
labels=(skillforge)
cmds=("$bin lint $out --format json")
peers=()
if command -v skilo >/dev/null; then
  labels+=(skilo)
  cmds+=("skilo lint --format json $out")
  peers+=(skilo)
else
  echo "skilo      not installed (cargo install skilo --locked)"
fi
if command -v agnix >/dev/null; then
  # agnix validates every agent config it finds (SKILL.md, references, …; 16,000 files
  # here), all rules (target generic); --max-files 0 lifts its 10,000-file limit, which
  # the corpus exceeds (it refuses to run otherwise).
  labels+=(agnix)
  cmds+=("agnix --format json --max-files 0 $out")
  peers+=(agnix)
else
  echo "agnix      not installed (cargo install agnix-cli --locked)"
fi

# Runs are interleaved (round r runs every tool once, starting with a different one
# each round), so a slow spell of the machine (page-cache reclaim, another process)
# falls on every tool alike instead of on whichever ran then.
n=${#labels[@]}
declare -A times
for i in $(seq 0 $((n - 1))); do
  ${cmds[$i]} >/dev/null 2>&1 || true # warm the page cache
  times[$i]=""
done
for r in $(seq "$RUNS"); do
  for k in $(seq 0 $((n - 1))); do
    i=$(((r + k) % n))
    s=$(date +%s%N)
    ${cmds[$i]} >/dev/null 2>&1 || true
    e=$(date +%s%N)
    times[$i]+="$(((e - s) / 1000000)) "
  done
done
# Peak RSS: median of RUNS runs of /usr/bin/time, also interleaved.
declare -A rsses
if [ -x /usr/bin/time ]; then
  tf=$(mktemp)
  for r in $(seq "$RUNS"); do
    for i in $(seq 0 $((n - 1))); do
      /usr/bin/time -o "$tf" -f '%M' ${cmds[$i]} >/dev/null 2>&1 || true
      rsses[$i]+="$(tail -n1 "$tf") "
    done
  done
  rm -f "$tf"
fi
for i in $(seq 0 $((n - 1))); do
  label=${labels[$i]}
  sorted=($(printf '%s\n' ${times[$i]} | sort -n))
  med=${sorted[$((RUNS / 2))]}
  rss=-
  [ -z "${rsses[$i]:-}" ] || rss=$(printf '%s\n' ${rsses[$i]} | median)
  printf '%-10s wall ms over %s runs: min %5s  median %5s  max %5s   peak RSS %6s KB\n' \
    "$label" "$RUNS" "${sorted[0]}" "$med" "${sorted[$((RUNS - 1))]}" "$rss"
  printf -v "WALL_$label" '%s' "$med"
  printf -v "RSS_$label" '%s' "$rss"
done
for p in "${peers[@]}"; do
  w="WALL_$p"
  r="RSS_$p"
  awk -v a="$WALL_skillforge" -v b="${!w}" -v ra="$RSS_skillforge" -v rb="${!r}" -v p="$p" \
    'BEGIN { printf "ratio skillforge/%s: wall %.2f  peak RSS %.2f (%.1f MB vs %.1f MB)\n", p, (b > 0 ? a / b : 0), (rb > 0 ? ra / rb : 0), ra / 1024, rb / 1024 }'
done
summary=$("$bin" lint "$out" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["skills"], "skills,", d["summary"])' 2>/dev/null || true)
echo "skillforge result: $summary"
