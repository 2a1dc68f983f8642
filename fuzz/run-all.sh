#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 1800) and prints a summary line per
# target: executions, coverage, features and corpus size (libFuzzer's final stats).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-1800}
[ -d corpus ] || bash seed.sh
mkdir -p logs
for t in ${TARGETS:-skill_md dockerfile compose_yaml fetch_normalize suite}; do
  mkdir -p "corpus/$t"
  cargo +nightly fuzz run "$t" -s none -a -- -max_total_time="$secs" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 >"logs/$t.log" 2>&1 || echo "$t: stopped with a finding (see logs/$t.log and artifacts/$t/)"
  last=$(grep -E '^#[0-9]+' "logs/$t.log" | tail -n1 || true)
  runs=$(grep -E 'stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}' || true)
  echo "$t: ${runs:-?} executions; last status: ${last:-none}"
done
