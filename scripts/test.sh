#!/usr/bin/env bash
# The project's test command (README): grammar drift check, then every test project.
# Ends with one line "N passed, N failed, N skipped" summed over all test projects; exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

status=0
if ! bash scripts/check-parser-drift.sh; then
  status=1
fi

# The source generator through MSBuild: the example builds and runs; a typo in its .tts file is a located build error.
# Counted as one failed check when it fails, so the closing line says so.
example_failed=0
if ! bash scripts/check-generated-example.sh; then
  status=1
  example_failed=1
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# Fast by default; FILTER lets a developer select, e.g. FILTER='Category=Slow'.
filter_args=()
if [ -n "${FILTER:-}" ]; then
  filter_args=(--filter "$FILTER")
fi

dotnet test Dsl.sln --nologo --logger "trx" --results-directory "$results" "${filter_args[@]}" || status=1

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # xunit's skipped tests are counted in total but not in executed (the notExecuted counter stays 0).
  skipped=$((skipped + $(value total) - $(value executed)))
done

failed=$((failed + example_failed))

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test results were produced" >&2
  status=1
fi
if [ "$failed" -gt 0 ]; then
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
