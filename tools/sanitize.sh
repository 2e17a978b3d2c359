#!/usr/bin/env bash
# Build the C++ core, its C++ kernel tests and its module with AddressSanitizer +
# UndefinedBehaviorSanitizer and run the tests that exercise the core under them. Any
# report fails the run.
# Usage: bash tools/sanitize.sh [extra pytest args]   (needs cmake, ninja, g++, pybind11)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python -m pip install -q pybind11 cmake ninja >/dev/null
cmake -S . -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBPROP_BUILD_MODULE=ON -DBPROP_BUILD_TESTS=ON -DBPROP_SANITIZE=address,undefined \
  -Dpybind11_DIR="$(python -m pybind11 --cmakedir)" -DPython_EXECUTABLE="$(command -v python)" >/dev/null
cmake --build "$work/build" >/dev/null
# The C++ kernel tests: every compiled instruction set against naive loops, in one process.
(cd "$work/build" && ASAN_OPTIONS=abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
  ctest --output-on-failure)
mkdir -p "$work/site"
cp -r python/bprop "$work/site/bprop"
cp "$work"/build/_core*.so "$work/site/bprop/"
# A development (editable) install redirects `import bprop` ahead of PYTHONPATH;
# drop that redirect in this run and in the subprocesses the tests start.
cat > "$work/site/sitecustomize.py" <<'PY'
import sys
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "ScikitBuildRedirectingFinder"]
PY

# Python itself is not instrumented: the runtimes are preloaded, and leak checking is
# off because the interpreter keeps memory until exit by design.
export LD_PRELOAD="$(g++ -print-file-name=libasan.so) $(g++ -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_odr_violation=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export PYTHONPATH="$work/site"
python -c "import bprop, sys; assert bprop.__file__.startswith('$work'), bprop.__file__"
# The flat-memory test is left out: ASan's quarantine keeps freed memory on purpose.
python -m pytest -q -p no:cacheprovider -m "not bigmem" -k "not memory_stays_flat" \
  tests/test_core_vs_reference.py tests/test_errors.py tests/test_properties.py \
  tests/test_threads.py tests/test_layouts.py tests/test_simd.py tests/test_gradcheck.py \
  tests/test_tutorial_example.py tests/test_reliability.py tests/test_train.py \
  tests/test_sample_weight.py tests/test_activations.py tests/test_outputs.py \
  tests/test_trace_and_hints.py "$@"
echo "sanitizers: clean"
