#!/usr/bin/env bash
# Fetch benchmark against a loopback mirror with injected latency (issue 6).
#
#   bench/fetch.sh            # 40 pages, 50 ms per request
#   PAGES=80 LATENCY_MS=20 bench/fetch.sh
#
# Measures: cold fetch at --concurrency 4 vs one page at a time (--concurrency 1),
# a warm re-run where every page answers 304 (--refresh), and an offline rebuild of
# the reference files from the cache (--offline --update).
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES=${PAGES:-40}
LATENCY_MS=${LATENCY_MS:-50}
BIN=${SKILLFORGE_BIN:-target/release/skillforge}
if [[ ! -x $BIN ]]; then
  cargo build --release --quiet
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
work=$(mktemp -d)
cleanup() { [[ -n ${srv_pid:-} ]] && kill "$srv_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
python3 bench/fetch_server.py --pages "$PAGES" --write-manifest "$work/sources.yaml"
python3 bench/fetch_server.py --pages "$PAGES" --latency-ms "$LATENCY_MS" >"$work/port" &
srv_pid=$!
for _ in $(seq 50); do [[ -s $work/port ]] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$work/port")"
mkdir -p "$work/.git"   # stop skillforge.toml discovery here
printf '[fetch]\npacing-ms = 5\n' >"$work/skillforge.toml"

ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
run() { # label, then fetch args
  local label=$1; shift
  local t0 t1
  t0=$(ms)
  (cd "$work" && "$BIN" fetch --blueprint "$work/sources.yaml" --base-url "$base" "$@" >/dev/null 2>&1)
  t1=$(ms)
  echo "$((t1 - t0))"
}
serial=$(run serial --cache-dir "$work/c1" --concurrency 1)
cold=$(run cold --cache-dir "$work/c4" --concurrency 4)
warm=$(run warm --cache-dir "$work/c4" --concurrency 4 --refresh)
mkdir -p "$work/skill" && printf -- '---\nname: bench\n---\n' >"$work/skill/SKILL.md"
offline=$(run offline --cache-dir "$work/c4" --offline --update "$work/skill")
rm -rf "$work/skill/references" "$work/skill/docs.lock"
offline2=$(run offline --cache-dir "$work/c4" --offline --update "$work/skill")
speedup=$(python3 -c "print(f'{$serial/$cold:.2f}')")
echo "pages=$PAGES latency=${LATENCY_MS}ms binary=$BIN"
echo "one at a time (--concurrency 1): ${serial} ms"
echo "cold fetch (--concurrency 4):     ${cold} ms  (speed-up ${speedup}x; target >= 3.5x)"
echo "warm re-run, all 304 (--refresh): ${warm} ms  (target < 1000 ms)"
echo "offline rebuild of references:    ${offline} ms, again from scratch ${offline2} ms  (target < 100 ms; includes process start)"
