#!/usr/bin/env bash
# Fuzzes each parser coverage-guided with Jazzer, one target at a time, each for a bounded time.
# Usage: bench/fuzz.sh                     every target, FUZZ_DURATION each (default 2m)
#        FUZZ_DURATION=10m bench/fuzz.sh   longer
#        bench/fuzz.sh RouterFuzzTest      only the targets whose name contains one of the arguments
# A normal build (mvn verify) replays only the committed corpus (the *FuzzTestInputs directories). Here Jazzer mutates
# it for FUZZ_DURATION per target; a finding fails the run and is written as crash-<sha1> into the target's Inputs
# directory, where the next build replays it: fix the bug, keep the file. New inputs that only add coverage go to
# .cifuzz-corpus/ in the module (not committed). Summary lines (executions, findings) go to
# bench/results/fuzz-<date>.txt, the full output next to it. MAVEN_FLAGS adds Maven options (-o offline, say).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
DURATION=${FUZZ_DURATION:-2m}
RESULTS=${BENCH_RESULTS:-$HERE/results}
TARGETS=(
  "config dev.wharf.config.ConfigLoaderFuzzTest#loadsOrReportsEveryProblemWithItsPath"
  "proxy dev.wharf.proxy.http.RouterFuzzTest#routesOrRefuses"
  "proxy dev.wharf.proxy.http.ByteRangeFuzzTest#rangesLieWithinTheBlob"
  "proxy dev.wharf.proxy.upstream.AuthChallengeFuzzTest#challengesComeFromTheHeader"
  "proxy dev.wharf.proxy.upstream.LinkHeaderFuzzTest#nextComesFromALinkMarkedNext"
)

selected() { # "module class#method": whether the arguments select it (all when there are none)
  [[ $# -le 1 ]] && return 0
  local target=$1 word
  shift
  for word in "$@"; do
    [[ $target == *"$word"* ]] && return 0
  done
  return 1
}

mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
summary=$RESULTS/fuzz-$stamp.txt
cd "$ROOT"
read -r -a flags <<<"${MAVEN_FLAGS:-}"
status=0
for entry in "${TARGETS[@]}"; do
  read -r module target <<<"$entry"
  selected "$target" "$@" || continue
  name=${target##*.}
  log=$RESULTS/fuzz-$stamp-${name/\#/-}.log
  echo "fuzzing $target for $DURATION (output: $log)"
  # JAZZER_FUZZ turns regression replay into fuzzing; jazzer.max_duration bounds it.
  # test-compile, so that the other modules come from this tree; then only surefire's fuzz execution, on one target.
  if JAZZER_FUZZ=1 mvn -B "${flags[@]}" -pl config,storage,proxy test-compile surefire:test@fuzz \
    -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.max_duration="$DURATION" >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and $module/src/test/resources/.../*Inputs/)"
    status=1
  fi
  # libFuzzer's last status line ("#<executions> DONE cov: ... exec/s: ..."), or after a finding "Done <n> runs in <s>"
  done_line=$(grep -aE '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs' "$log" | tail -1 || true)
  echo "$target: $result; ${done_line:-no fuzzing summary: see the output}" | tee -a "$summary"
done
exit $status
