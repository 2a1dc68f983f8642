#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the project's own fixtures (nothing is committed
# there: the corpus is rebuilt from the fixtures and grows while fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
seed() { # target, then files
  local t=$1; shift
  mkdir -p "fuzz/corpus/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "fuzz/corpus/$t/$(sha1sum "$f" | cut -c1-16)"
  done
}
seed skill_md $(find tests/fixtures tests/calibration skills -name 'SKILL.md*' -type f)
seed dockerfile tests/dockerfiles/* $(find skills tests/fixtures -iname '*dockerfile*' -type f)
# Compose files first, then every other YAML the project has (all valid seeds).
seed compose_yaml $(find tests/fixtures tests/calibration skills -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.yaml.hbs' \))
seed fetch_normalize $(find tests/fixtures/docs skills/docker-deployment/references -type f -name '*.md')
seed suite skills/docker-deployment/lessons/topics/*.yaml
for t in skill_md dockerfile compose_yaml fetch_normalize suite; do
  echo "$t: $(ls "fuzz/corpus/$t" 2>/dev/null | wc -l) seeds"
done
