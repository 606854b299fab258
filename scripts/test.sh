#!/usr/bin/env bash
# The project's test command (README): grammar drift check, the generated example, then every test project.
# Ends with one line "N passed, N failed, N skipped" summed over all test projects; exits non-zero on any failure.
#
# Usage: bash scripts/test.sh           everything (what CI runs through .ci/run)
#        bash scripts/test.sh --fast    a developer's loop: the drift check and the tests not in Category=Slow
#                                       (tests/TestSupport/TestCategories.cs), without the generated-example build
# FILTER narrows either, e.g. FILTER='FullyQualifiedName~Resampl' bash scripts/test.sh --fast, or FILTER='Category=Slow'.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

fast=0
for arg in "$@"; do
  case "$arg" in
    --fast) fast=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (usage: bash scripts/test.sh [--fast])" >&2; exit 2 ;;
  esac
done

status=0
# A check outside the test projects counts as one failed test when it fails, so the closing line says so.
checks_failed=0
if ! bash scripts/check-parser-drift.sh; then
  status=1
  checks_failed=1
fi

if [ "$fast" -eq 1 ]; then
  echo "test.sh --fast: skipping the generated-example build and the tests in Category=Slow"
else
  # The source generator through MSBuild: the example builds and runs; a typo in its .tts file is a located build error.
  if ! bash scripts/check-generated-example.sh; then
    status=1
    checks_failed=$((checks_failed + 1))
  fi
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

# Everything by default; --fast leaves out Category=Slow; FILTER selects further, e.g. FILTER='Category=Slow'.
filter=""
if [ "$fast" -eq 1 ]; then
  filter="Category!=Slow"
fi
if [ -n "${FILTER:-}" ] && [ -n "$filter" ]; then
  filter="($filter)&($FILTER)"
elif [ -n "${FILTER:-}" ]; then
  filter="$FILTER"
fi
filter_args=()
if [ -n "$filter" ]; then
  filter_args=(--filter "$filter")
fi

test_status=0
dotnet test Dsl.sln --nologo --logger "trx" --results-directory "$results" "${filter_args[@]}" || test_status=1

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  # A counter missing from a cut-off file (disk full, a crashed run) reads as 0 instead of breaking the sums.
  value() { local v; v="$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p")"; echo "${v:-0}"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # xunit's skipped tests are counted in total but not in executed (the notExecuted counter stays 0).
  skipped=$((skipped + $(value total) - $(value executed)))
done

failed=$((failed + checks_failed))

# dotnet test failed, yet no result file holds a failed test: a test project did not build, or its run crashed before
# writing its results. Counted as one failure, so the closing line never says 0 failed on a failing run.
if [ "$test_status" -ne 0 ]; then
  status=1
  if [ "$failed" -eq "$checks_failed" ]; then
    echo "test.sh: dotnet test failed with no failed test in its results (a project did not build or its run crashed): counted as one failure" >&2
    failed=$((failed + 1))
  fi
fi

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test results were produced" >&2
  status=1
fi
if [ "$failed" -gt 0 ]; then
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
