#!/usr/bin/env bash
# Hostile-input timings (issue 15, defect 6): one SKILL.md line holding N inline-code
# spans (ASCII and non-ASCII), linted and tested. Prints wall seconds per size so that
# growth is visible: linear code doubles with N, quadratic code quadruples.
set -euo pipefail
cd "$(dirname "$0")/.."
# SKILLFORGE_BIN=path uses that binary (e.g. an older build, for before/after figures);
# HOSTILE=fetch runs only the fetch part, HOSTILE=lint only the lint/test part.
if [[ -n ${SKILLFORGE_BIN:-} ]]; then
  bin=$(cd "$(dirname "$SKILLFORGE_BIN")" && pwd)/$(basename "$SKILLFORGE_BIN")
else
  cargo build --release --quiet --bin skillforge
  bin="$PWD/target/release/skillforge"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/s"
if [[ ${HOSTILE:-all} != fetch ]]; then
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
fi
[[ ${HOSTILE:-all} == lint ]] && exit 0

# Defect 6, second half: one docs page with N headings (200k headings ≈ 6 MB), served
# by a loopback mirror and fetched (normalise + distil); then distilled again from the
# cache (--offline). The page feeds one reference by named sections (one of them absent,
# so the closest heading is looked up); WHOLE=1 also feeds another reference with the
# whole page (every top-level section weighed: hours before the fix at 200k headings).
srv_dir="$work/mirror"
mkdir -p "$srv_dir/big"
cat >"$work/sources.yaml" <<'YAML'
version: 1
blueprint: hostile
site: https://docs.docker.com
references:
  - file: references/named.md
    title: Named sections
sources:
  - path: /big/page/
    title: Big page
    lessons: { full: [1] }
    feeds:
      - file: references/named.md
        sections: [Section 1, Section 9999, No such section]
YAML
if [[ ${WHOLE:-0} == 1 ]]; then
  echo "      - file: references/whole.md" >>"$work/sources.yaml"
  sed -i 's|^sources:$|  - file: references/whole.md\n    title: Whole page\nsources:|' "$work/sources.yaml"
fi
mkdir -p "$work/.git"
port_file="$work/port"
python3 - "$srv_dir" "$port_file" <<'PY' 2>/dev/null &
import http.server, socketserver, sys, functools
d, port_file = sys.argv[1], sys.argv[2]
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=d)
h.log_message = lambda *a: None
with socketserver.ThreadingTCPServer(("127.0.0.1", 0), h) as s:
    open(port_file, "w").write(str(s.server_address[1]))
    s.serve_forever()
PY
srv_pid=$!
trap 'kill $srv_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [[ -s $port_file ]] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$port_file")"
echo
printf '%-10s %10s %10s %10s\n' headings MB fetch_s offline_s
for n in ${HEADINGS:-25000 50000 100000 200000}; do
  python3 - "$srv_dir/big/page.md" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
parts = ["# Big page\n\nIntro text.\n\n"]
parts += [f"## Section {i}\n\nText {i}.\n\n" for i in range(n)]
open(path, "w").write("".join(parts))
PY
  mb=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1e6:.1f}')" "$srv_dir/big/page.md")
  rm -rf "$work/cache"
  t0=$(date +%s.%N)
  (cd "$work" && "$bin" fetch --blueprint "$work/sources.yaml" --base-url "$base" --cache-dir "$work/cache" >"$work/fetch.out" 2>&1) || true
  grep -q "1 fetched" "$work/fetch.out" || { echo "fetch failed:"; cat "$work/fetch.out"; exit 1; }
  t1=$(date +%s.%N)
  (cd "$work" && "$bin" fetch --blueprint "$work/sources.yaml" --offline --cache-dir "$work/cache" >/dev/null 2>&1) || true
  t2=$(date +%s.%N)
  printf '%-10s %10s %10.2f %10.2f\n' "$n" "$mb" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
done
