#!/usr/bin/env bash
# Builds the fuzz preset (clang 14, libFuzzer, ASan + UBSan) and runs every fuzz target of
# tests/fuzz for a while, two at a time, each on a scratch copy of its committed corpus
# (tests/fuzz/corpus/<area>, never written to) with its dictionary when it has one
# (docs/fuzzing.md). Exits 1 with the input that crashed a target, kept in
# build/fuzz/artifacts/<area>/.
# usage: fuzz.sh [--merge] [--no-build] [SECONDS_PER_TARGET [AREA...]]
#   --merge     afterwards, add to the committed corpus the inputs that reach new edges
#               (libFuzzer -merge=1), for a human to review before committing
#   --no-build  run what build/fuzz holds (CI builds it beside the other tests)
set -euo pipefail
cd "$(dirname "$0")/.."

merge=false
build=true
while [[ ${1:-} == --* ]]; do
    case $1 in
        --merge) merge=true ;;
        --no-build) build=false ;;
        *) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
seconds=${1:-20}
shift || true
areas=("$@")
if ((${#areas[@]} == 0)); then
    for source in tests/fuzz/*_fuzz.cpp; do
        areas+=("$(basename "$source" _fuzz.cpp)")
    done
fi

if $build; then
    source scripts/common.sh
    prepare_build fuzz quiet
    nice -n 10 cmake --build --preset fuzz -j "$(nproc)" >/dev/null
fi

out=build/fuzz
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# Runs one target for $seconds on a fresh copy of its corpus; its log is
# build/fuzz/logs/<area>.log. Fails naming the input libFuzzer kept when it found something.
run_target() {
    local area=$1
    local scratch=$out/scratch/$area artifacts=$out/artifacts/$area log=$out/logs/$area.log
    local options=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1
                   -artifact_prefix="$artifacts/")
    rm -rf "$scratch" "$artifacts"
    mkdir -p "$scratch" "$artifacts" "$out/logs"
    cp tests/fuzz/corpus/"$area"/* "$scratch"/
    [[ -f tests/fuzz/$area.dict ]] && options+=(-dict="tests/fuzz/$area.dict")
    if ! "$out/tests/fuzz/taplink_fuzz_$area" "${options[@]}" "$scratch" >"$log" 2>&1; then
        echo "fuzz: $area FOUND SOMETHING ($log):" >&2
        grep -E 'ERROR|invariant broken|SUMMARY' "$log" | head -n 5 >&2 || true
        ls "$artifacts"/* >&2 2>/dev/null || echo "fuzz: (no input kept)" >&2
        return 1
    fi
    echo "fuzz: $area $(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)," \
         "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | cut -d' ' -f2) runs"
}

# Adds to the committed corpus the inputs of the scratch copy that reach new edges (hit
# counts left out, so that few files come in).
merge_target() {
    local area=$1 corpus=tests/fuzz/corpus/$1 before
    before=$(find "$corpus" -type f | wc -l)
    "$out/tests/fuzz/taplink_fuzz_$area" -merge=1 -use_counters=0 "$corpus" "$out/scratch/$area" \
        >"$out/logs/$area.merge.log" 2>&1
    echo "fuzz: $area: $(($(find "$corpus" -type f | wc -l) - before)) new inputs in $corpus"
}

# Two at a time (two cores); a target that finds something leaves <area>.failed in the logs.
echo "fuzz: ${#areas[@]} targets, ${seconds}s each, two at a time"
mkdir -p "$out/logs"
rm -f "$out"/logs/*.failed
for area in "${areas[@]}"; do
    while (($(jobs -rp | wc -l) >= 2)); do
        wait -n || true
    done
    { run_target "$area" || touch "$out/logs/$area.failed"; } &
done
wait
if compgen -G "$out/logs/*.failed" >/dev/null; then
    echo "fuzz: findings in: $(basename -s .failed "$out"/logs/*.failed | tr '\n' ' ')" >&2
    exit 1
fi
if $merge; then
    for area in "${areas[@]}"; do
        merge_target "$area"
    done
fi
