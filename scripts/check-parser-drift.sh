#!/usr/bin/env bash
# Fails when the committed parser differs from a fresh generation with the pinned antlr-ng.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The pinned grammar tool is an npm package: without Node.js the check cannot run, and that is a failure, said in one line.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "parser drift check failed: it needs Node.js 18 or later with npm (install them, e.g. apt-get install nodejs npm); npm ci then fetches the pinned antlr-ng once" >&2
  exit 1
fi
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
bash "$root/scripts/generate-parser.sh" "$fresh" >/dev/null
if ! diff -r -q "$fresh" "$root/src/Language/Syntax/Generated" >/dev/null; then
  echo "parser drift: src/Language/Syntax/Generated differs from grammar/*.g4; run: bash scripts/generate-parser.sh" >&2
  diff -r "$fresh" "$root/src/Language/Syntax/Generated" | head -40 >&2
  exit 1
fi
echo "parser is up to date with grammar/*.g4"
