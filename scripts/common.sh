# Sourced by the other scripts: installs what the project needs, points ccache at the
# project's cache and configures a CMake preset.
# usage: prepare_build PRESET [quiet]
prepare_build() {
  local preset=$1 quiet=${2:-}
  if [[ -n $quiet ]]; then
    bash scripts/setup.sh >/dev/null
  else
    bash scripts/setup.sh
  fi
  export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/taplink-ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  # Three build trees (dev, asan, tsan) do not fit ccache's default 5 GB: it evicted them.
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-12G}
  cmake --preset "$preset" >/dev/null
}
