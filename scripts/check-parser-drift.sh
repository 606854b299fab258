#!/usr/bin/env bash
# Fails when the committed parser differs from a fresh generation with the pinned antlr-ng.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
bash "$root/scripts/generate-parser.sh" "$fresh" >/dev/null
if ! diff -r -q "$fresh" "$root/src/Language/Syntax/Generated" >/dev/null; then
  echo "parser drift: src/Language/Syntax/Generated differs from grammar/*.g4; run: bash scripts/generate-parser.sh" >&2
  diff -r "$fresh" "$root/src/Language/Syntax/Generated" | head -40 >&2
  exit 1
fi
echo "parser is up to date with grammar/*.g4"
