"""The committed _core stub matches the compiled module; docstring examples run."""

import doctest
import importlib
import subprocess
import sys

import pytest

# Every module whose public functions carry numpydoc examples (CI runs this test).
MODULES = [
    "bprop.network",
    "bprop.params",
    "bprop.init",
    "bprop.data.prepare",
    "bprop.gradcheck",
    "bprop.estimators",
    "bprop.data.files",
    "bprop.reference._math",
    "bprop.reference.vectorized",
    "bprop.reference.per_sample",
    "bprop.tracing",
    "bprop.model_file",
    "bprop.optim",
    "bprop.schedules",
    "bprop.diagnose",
    "bprop.plot",
    "bprop.export",
    "bprop",
    "bprop._internal.threads",
    "bprop.data.datasets",
    "bprop.data.idx",
    "bprop.training.driver",
    "bprop.training.history",
    "bprop.training.objective",
    "bprop.distributed.comm",
    "bprop.distributed.shards",
    "bprop.distributed.objective",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    if name == "bprop.plot":
        pytest.importorskip("matplotlib")
    if name == "bprop.export":
        pytest.importorskip("onnx")
        pytest.importorskip("onnxruntime")
    if name.startswith("bprop.distributed"):
        # a world of one process without mpiexec; in a child process, so that MPI is
        # never initialised in this one (the MPI tests run mpiexec as children too)
        pytest.importorskip("mpi4py")
        code = (
            "import doctest, importlib, sys; "
            f"r = doctest.testmod(importlib.import_module({name!r}), "
            "optionflags=doctest.ELLIPSIS); "
            "sys.exit(0 if r.attempted > 0 and r.failed == 0 else 1)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_stub_matches_module():
    pytest.importorskip("mypy")
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "bprop._core", "--ignore-disjoint-bases"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_readme_usage_example_runs(capsys):
    import re
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    if not readme.exists():
        pytest.skip("README.md is not next to the tests (installed test run)")
    block = re.search(
        r"```python\n(import numpy as np\nimport bprop\n.*?)```", readme.read_text(), re.S
    ).group(1)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["labels"].shape == (1797,)
    assert "gradient check passed" in capsys.readouterr().out


def test_estimators_page_runs(capsys):
    # docs/estimators.md (moved there from the README): its code blocks run in order
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "estimators.md"
    if not page.exists():
        pytest.skip("docs/ is not next to the tests (installed test run)")
    pytest.importorskip("sklearn")
    namespace: dict = {}
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        exec(compile(block, f"estimators.md block {i + 1}", "exec"), namespace)
    assert namespace["search"].best_score_ > 0.9
    assert namespace["clf"].thetas_[0].shape == (25, 65)
    assert "iris training accuracy" in capsys.readouterr().out


def test_package_type_checks():
    pytest.importorskip("mypy")
    from pathlib import Path

    # The source tree (with its committed _core.pyi), not the installed copy: mypy run on
    # a directory inside site-packages mistakes its neighbours for the user's modules.
    package = Path(__file__).resolve().parent.parent / "python" / "bprop"
    if not package.is_dir():
        pytest.skip("the source tree is not next to the tests")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            str(package),
            "--ignore-missing-imports",
            "--no-error-summary",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=package.parent.parent,
    )
    assert out.returncode == 0, out.stdout + out.stderr
