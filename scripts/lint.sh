#!/usr/bin/env bash
# Style and static analysis: clang-format must have nothing to change, clang-tidy (the
# checks in .clang-tidy) must find nothing. Needs a configured build for compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/dev}

mapfile -t sources < <(git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp')
echo "lint: clang-format on ${#sources[@]} files"
clang-format --dry-run --Werror "${sources[@]}"

mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$')
echo "lint: clang-tidy on ${#units[@]} translation units"
printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet 2> >(grep -v "warnings generated" >&2)
echo "lint: clean"
