#!/usr/bin/env bash
# Cross-compile the C++ core and its C++ tests for aarch64 (Debian's
# g++-aarch64-linux-gnu) and run them under user-mode emulation (qemu-user):
# every kernel against naive loops, and the whole cost and gradient against a
# naive backpropagation and the golden values computed on x86-64.
# Usage: bash tools/arm_tests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install g++-aarch64-linux-gnu qemu-user" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S . -B "$work/arm" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBPROP_BUILD_TESTS=ON \
  -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 \
  -DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc -DCMAKE_CXX_COMPILER=aarch64-linux-gnu-g++ \
  -DCMAKE_CXX_FLAGS=-Werror >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/arm" >/dev/null
# e_machine of the ELF header: 0xb7 is aarch64 (not the host's x86-64 by mistake)
python3 -c "import sys; assert open(sys.argv[1], 'rb').read(20)[18] == 0xb7, 'not aarch64'" \
  "$work/arm/core_tests"
for t in kernel_tests core_tests; do
  OMP_NUM_THREADS=2 qemu-aarch64 -L /usr/aarch64-linux-gnu "$work/arm/$t"
done
