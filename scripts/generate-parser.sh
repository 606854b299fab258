#!/usr/bin/env bash
# Regenerates the committed C# parser from grammar/*.g4 with the pinned antlr-ng (package-lock.json).
# Usage: bash scripts/generate-parser.sh [OUTPUT_DIR]   (default: src/Language/Syntax/Generated)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/src/Language/Syntax/Generated}"
cd "$root"
if [ ! -x node_modules/.bin/antlr-ng ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# antlr-ng's -D options must not stand directly before the grammar list.
node_modules/.bin/antlr-ng -Dlanguage=CSharp --generate-visitor true --generate-listener false \
  -p Tts.Language.Syntax.Generated -o "$tmp" grammar/TtsLexer.g4 grammar/TtsParser.g4
mkdir -p "$out"
rm -f "$out"/*.cs "$out"/*.interp "$out"/*.tokens
# Keep only the C# sources; the tool writes them under the grammar's folder name.
find "$tmp" -name '*.cs' -exec cp {} "$out"/ \;
echo "generated $(ls "$out" | wc -l) files into ${out#$root/}"
