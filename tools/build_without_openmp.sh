#!/usr/bin/env bash
# Build bprop with Clang and no OpenMP runtime (as Apple's clang builds it: the
# single-threaded fallback) into the active environment, with warnings as
# errors in the core, and run the test suite on it (bigmem aside).
# Usage: bash tools/build_without_openmp.sh   (needs clang, without libomp-dev)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang++ >/dev/null; then
  echo "clang++ not found: apt-get install clang (without libomp-dev)" >&2
  exit 1
fi
# The C++ core alone first: no OpenMP found, and not one compiler warning.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CC=clang CXX=clang++ cmake -S . -B "$work/core" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DBPROP_BUILD_TESTS=ON -DCMAKE_CXX_FLAGS=-Werror >"$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; exit 1; }
grep -q "no OpenMP runtime" "$work/configure.log" \
  || { echo "clang found an OpenMP runtime: this check needs one without (remove libomp-dev)" >&2; exit 1; }
cmake --build "$work/core" >/dev/null
"$work/core/kernel_tests"
# The package built the way a Mac user's pip builds it, and the tests on it.
CC=clang CXX=clang++ python -m pip install -q --force-reinstall --no-deps .
BPROP_EXPECT_OPENMP=0 python -m pytest -q -m "not bigmem" -p no:cacheprovider
