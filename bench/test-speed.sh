#!/usr/bin/env bash
# Wall-clock benchmark of `skillforge test --all` on the generated docker-deployment skill.
# Target: under 50 ms per run (release build). Usage: bench/test-speed.sh [RUNS]
# Uses hyperfine when installed, else a timing loop (min / median / max).
set -euo pipefail
runs="${1:-20}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/skillforge"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" new docker-deployment --dir "$work" --yes >/dev/null
skill="$work/docker-deployment"
export NO_COLOR=1

for curriculum in skill-first full; do
  # --no-history: measure the judge, not the run-history file (a few hundred µs).
  cmd=("$bin" test "$skill" --all --curriculum "$curriculum" --no-history)
  "${cmd[@]}" >/dev/null || true   # warm the page cache
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 3 --runs "$runs" -i "${cmd[*]}"
  else
    times=()
    for _ in $(seq "$runs"); do
      start=$(date +%s%N)
      "${cmd[@]}" >/dev/null || true
      end=$(date +%s%N)
      times+=($(( (end - start) / 1000 )))
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    n=${#sorted[@]}
    printf '%-12s runs=%d  min=%.1f ms  median=%.1f ms  max=%.1f ms\n' "$curriculum" "$n" \
      "$(echo "${sorted[0]} / 1000" | bc -l)" \
      "$(echo "${sorted[$((n / 2))]} / 1000" | bc -l)" \
      "$(echo "${sorted[$((n - 1))]} / 1000" | bc -l)"
  fi
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other processes slow every figure)"
