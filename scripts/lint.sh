#!/usr/bin/env bash
# Style and static analysis: clang-format must have nothing to change, clang-tidy (the
# checks in .clang-tidy) must find nothing. Needs a configured build for compile_commands.json.
# usage: lint.sh [BUILD_DIR] [all|format|tidy]
#
# clang-tidy's verdict on a translation unit depends only on what the compiler sees (the
# preprocessed source with its comments and macro definitions), the compile flags, the
# .clang-tidy file and the tool itself. A clean verdict is remembered under a hash of exactly
# those (TAPLINK_TIDY_CACHE, default ~/.cache/taplink-tidy), so an unchanged unit is not
# analysed again; any change to it or to a header it includes analyses it afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/dev}
what=${2:-all}
export TIDY_CACHE=${TAPLINK_TIDY_CACHE:-$HOME/.cache/taplink-tidy}
export BUILD_DIR=$build_dir
mkdir -p "$TIDY_CACHE"

mapfile -t sources < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp')
if [[ $what != tidy ]]; then
    echo "lint: clang-format on ${#sources[@]} files"
    clang-format --dry-run --Werror "${sources[@]}"
fi
[[ $what == format ]] && exit 0

# The compile command of one unit ("COMPILER FLAGS -o OBJECT -c FILE"), from
# compile_commands.json.
compile_command() {
    local unit=$1
    jq -r --arg file "$PWD/$unit" \
        '.[] | select(.file == $file) | .command' "$BUILD_DIR/compile_commands.json" | head -n 1
}

# Runs clang-tidy on one unit unless a clean verdict for the same inputs is remembered.
tidy_unit() {
    set -o pipefail
    local unit=$1 command key
    command=$(compile_command "$unit")
    if [[ -z $command ]]; then
        echo "lint: $unit is in no compile command (not built by this configuration)" >&2
        return 1
    fi
    # The same command with -E -C -dD: the preprocessed source with comments (NOLINT) and
    # macro definitions; the source tree's own path is cut so that clones share verdicts.
    key=$({
        clang-tidy --version
        cat .clang-tidy
        echo "$command" | sed "s|$PWD||g"
        eval "${command%% -o *} -E -C -dD $PWD/$unit" |
            sed "s|$PWD||g"
    } | sha256sum | cut -c1-64) || key=""  # no key when the unit does not preprocess
    [[ -n $key && -f $TIDY_CACHE/$key ]] && return 0
    if clang-tidy -p "$BUILD_DIR" --quiet "$unit" 2> >(grep -v "warnings generated" >&2); then
        [[ -z $key ]] || touch "$TIDY_CACHE/$key"
    else
        return 1
    fi
}
export -f compile_command tidy_unit

mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$')
echo "lint: clang-tidy on ${#units[@]} translation units (clean verdicts cached in $TIDY_CACHE)"
printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -I{} bash -c 'tidy_unit "$1"' _ {}
echo "lint: clean"
