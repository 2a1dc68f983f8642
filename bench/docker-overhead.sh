#!/usr/bin/env bash
# What the Dockerfile and Compose checks add to the lint benchmark (issue 3 target: ≤ 30 %).
#
# Lints the `--docker` corpus (2,000 skills; each SKILL.md has three Dockerfile blocks,
# each skill a templates/compose.yaml) twice, alternating runs:
#   on:  every rule, as shipped;
#   off: the same binary with every SF-docker-* / SF-compose-* rule set to "off" through
#        a config file, so no Dockerfile or Compose file is parsed or checked.
# Prints min and median wall time of each and the overhead; with valgrind installed
# (CALLGRIND=1) also the instruction counts on a 200-skill subset, which do not depend
# on machine load.
#
#   bash bench/docker-overhead.sh
#   RUNS=21 COUNT=2000 CALLGRIND=1 bash bench/docker-overhead.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-2000}
RUNS=${RUNS:-15}
out=bench/out/lint-corpus-docker-$COUNT
cargo build --release --quiet --bin skillforge --example gen_corpus
bin=./target/release/skillforge
# Regenerate when the generator changed since the corpus was written.
stamp=$(sha256sum examples/gen_corpus.rs | cut -c1-16)
if [ ! -d "$out/skills" ] || [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$out"
  ./target/release/examples/gen_corpus "$out" "$COUNT" --docker >/dev/null
  echo "$stamp" >"$out/.stamp"
fi
off=$(mktemp --suffix=.toml)
trap 'rm -f "$off"' EXIT
{
  echo "[lint.rules]"
  "$bin" lint --list-rules | awk '$1 ~ /^SF-(docker|compose)-/ { printf "\"%s\" = \"off\"\n", $1 }'
} >"$off"
echo "corpus: $COUNT skills ($out); $(grep -c '= "off"' "$off") Docker/Compose rules switched off for the baseline"

run() { # mode -> wall ms
  local s e
  s=$(date +%s%N)
  if [ "$1" = on ]; then
    "$bin" lint "$out" --format json >/dev/null || true
  else
    "$bin" lint "$out" --format json --config "$off" >/dev/null || true
  fi
  e=$(date +%s%N)
  echo $(((e - s) / 1000000))
}
run on >/dev/null
run off >/dev/null # warm the page cache
on=() off_=()
for _ in $(seq "$RUNS"); do
  on+=("$(run on)")
  off_+=("$(run off)")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d %d", a[1], a[int((NR+1)/2)]}'; }
read -r on_min on_med <<<"$(stats "${on[@]}")"
read -r off_min off_med <<<"$(stats "${off_[@]}")"
echo "checks on : min ${on_min} ms  median ${on_med} ms"
echo "checks off: min ${off_min} ms  median ${off_med} ms"
awk -v a="$on_min" -v b="$off_min" -v c="$on_med" -v d="$off_med" \
  'BEGIN { printf "overhead  : %+.1f %% (min)  %+.1f %% (median)\n", (a/b-1)*100, (c/d-1)*100 }'
"$bin" lint "$out" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print("result:", d["skills"], "skills,", d["summary"])' 2>/dev/null || true

if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
  sub=bench/out/lint-corpus-docker-sub200
  if [ ! -d "$sub/skills" ] || [ "$(cat "$sub/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$sub" && mkdir -p "$sub/skills"
    mapfile -t dirs < <(find "$out/skills" -mindepth 1 -maxdepth 1 | sort)
    cp -r "${dirs[@]:0:200}" "$sub/skills/"
    echo "$stamp" >"$sub/.stamp"
  fi
  ir() { { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } | awk '/Collected/ {print $4}'; }
  a=$(ir "$bin" lint "$sub" --format json)
  b=$(ir "$bin" lint "$sub" --format json --config "$off")
  awk -v a="$a" -v b="$b" 'BEGIN { printf "instructions (200 skills): on %.1f M, off %.1f M, overhead %+.1f %%\n", a/1e6, b/1e6, (a/b-1)*100 }'
fi
