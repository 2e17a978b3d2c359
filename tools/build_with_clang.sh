#!/usr/bin/env bash
# Build bprop with Clang into the active environment and run its tests:
#   openmp     Clang + an OpenMP runtime (Debian's libomp-dev)
#   no-openmp  Clang as if it had no OpenMP runtime (Apple's clang): CMake's OpenMP
#              search is switched off, so the single-threaded fallback is what builds
# First the C++ core with -Werror (not one compiler warning) and its C++ tests, then
# the package as pip builds it and the test suite (bigmem aside) against it.
# Usage: bash tools/build_with_clang.sh openmp|no-openmp   (needs clang; libomp-dev for openmp)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: build_with_clang.sh openmp|no-openmp}
command -v clang++ >/dev/null || { echo "clang++ not found: apt-get install clang" >&2; exit 1; }
case "$mode" in
  openmp) defines=(); pip_defines=(); expect=1 ;;
  no-openmp) defines=(-DCMAKE_DISABLE_FIND_PACKAGE_OpenMP=TRUE)
             pip_defines=(-Ccmake.define.CMAKE_DISABLE_FIND_PACKAGE_OpenMP=TRUE); expect=0 ;;
  *) echo "unknown mode $mode" >&2; exit 1 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CC=clang CXX=clang++ cmake -S . -B "$work/core" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBPROP_BUILD_TESTS=ON -DCMAKE_CXX_FLAGS=-Werror "${defines[@]}" >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; exit 1; }
if [ "$mode" = no-openmp ]; then
  grep -q "no OpenMP runtime" "$work/configure.log" || { cat "$work/configure.log"; exit 1; }
fi
cmake --build "$work/core" >/dev/null
(cd "$work/core" && ctest --output-on-failure)
CC=clang CXX=clang++ python -m pip install -q --force-reinstall --no-deps "${pip_defines[@]}" .
python -c "import bprop; assert bprop.build_info()['openmp'] is bool($expect), bprop.build_info()"
BPROP_EXPECT_OPENMP=$expect python -m pytest -q -m "not bigmem" -p no:cacheprovider
