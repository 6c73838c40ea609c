#!/usr/bin/env bash
# Run by action.yml: check the posts that changed since a base commit and print
# GitHub annotations (postcheck --format github), optionally writing SARIF too.
#
# Environment (set by action.yml from its inputs):
#   POSTCHECK_ACTION_PATHS     folders or files to watch, space-separated (default: .)
#   POSTCHECK_ACTION_BASE      commit to compare with; empty or unknown: check every file
#   POSTCHECK_ACTION_ARGS      more postcheck options (--config, --channel, --approval, ...)
#   POSTCHECK_ACTION_FAIL_ON   warn (default), block or never
#   POSTCHECK_ACTION_SARIF     "true": also write postcheck.sarif (path in the step output "sarif")
# The exit code is postcheck's: 0 pass, 1 warn, 2 block (see the README).
set -euo pipefail

read -r -a paths <<< "${POSTCHECK_ACTION_PATHS:-.}"
base="${POSTCHECK_ACTION_BASE:-}"
formats='\.(txt|md|markdown|html?|docx|jpe?g|png|webp|heic|heif|tiff?)$'

if [[ -n "$base" && ! "$base" =~ ^0+$ ]] && ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  git fetch --quiet --no-tags --depth=1 origin "$base" 2>/dev/null || true
fi
if [[ -n "$base" && ! "$base" =~ ^0+$ ]] && git cat-file -e "$base^{commit}" 2>/dev/null; then
  mapfile -d '' listed < <(git diff -z --name-only --diff-filter=ACMR "$base" HEAD -- "${paths[@]}")
  what="changed since ${base:0:12}"
else
  mapfile -d '' listed < <(git ls-files -z -- "${paths[@]}")
  what="in the repository (no base commit to compare with)"
fi

files=()
shopt -s nocasematch
for f in "${listed[@]}"; do
  [[ "$f" =~ $formats && -f "$f" ]] && files+=("$f")
done
shopt -u nocasematch

if [[ ${#files[@]} -eq 0 ]]; then
  echo "postcheck: no drafts or photos $what"
  exit 0
fi
echo "postcheck: checking ${#files[@]} file(s) $what"

args=(check --group stem --format github --fail-on "${POSTCHECK_ACTION_FAIL_ON:-warn}")
if [[ "${POSTCHECK_ACTION_SARIF:-false}" == "true" ]]; then
  args+=(--also-output postcheck.sarif --force)
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "sarif=postcheck.sarif" >> "$GITHUB_OUTPUT"
  fi
fi
if [[ -n "${POSTCHECK_ACTION_ARGS:-}" ]]; then
  read -r -a extra <<< "$POSTCHECK_ACTION_ARGS"
  args+=("${extra[@]}")
fi

exec postcheck "${args[@]}" -- "${files[@]}"
