#!/usr/bin/env bash
# The source generator end to end, through MSBuild as a user's project sees it (issue 6, "done when"):
#  1. examples/GeneratedStrategies builds (warnings are errors) and runs;
#  2. a copy with a typo in a .tts file fails to build with the error located in the .tts file:
#     strategies/checked.tts(7,28): error TTS0104: ...
#  3. its output carries the runtime alone: no front end (Tts.Language, Tts.Compiler) and no ANTLR.
# Exits non-zero, saying what went wrong, when any fails.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
example=examples/GeneratedStrategies

fail() {
  echo "check-generated-example: $*" >&2
  exit 1
}

dotnet build "$example" --nologo -v q || fail "$example does not build"
output="$(dotnet run --project "$example" --no-build)" || fail "$example does not run"
echo "$output"
for strategy in sample_once best_of_n weighted_vote first_accepted; do
  grep -q "^$strategy (" <<<"$output" || fail "$example printed no line for $strategy"
done

front_end="$(find "$example/bin" -name 'Tts.Language.dll' -o -name 'Tts.Compiler.dll' -o -name 'Antlr4*.dll' | sort)"
[ -z "$front_end" ] || fail "$example's output carries the front end: $front_end (the runtime must stand alone)"

# The copy sits next to the example so its relative references, Directory.Build.props and central package versions
# still apply; the referenced projects were just built, so only the copy compiles.
copy="$(mktemp -d "$root/examples/.typo-check.XXXXXX")"
trap 'rm -rf "$copy"' EXIT
cp -r "$example"/GeneratedStrategies.csproj "$example"/*.cs "$example"/strategies "$copy"/
sed -i 's/sample policy(prompt, temperature/sample polcy(prompt, temperature/' "$copy/strategies/checked.tts"
grep -q "sample polcy(" "$copy/strategies/checked.tts" || fail "the typo was not injected (did checked.tts change?)"

if build="$(dotnet build "$copy" --no-dependencies --nologo -v q 2>&1)"; then
  fail "the copy with a typo in strategies/checked.tts built"
fi
expected="strategies/checked.tts(7,28): error TTS0104: 'polcy' is not a declared model: declare it with \`model polcy: lm\` at the top of the file: did you mean 'policy'?"
grep -qF "$expected" <<<"$build" || fail "the build did not report
  $expected
it printed:
$build"
echo "check-generated-example: a typo in a .tts file is a build error located in it:"
grep -F "error TTS" <<<"$build" | sort -u | sed "s|$copy/||g"
