"""What a release carries: the sdist holds the project's files only, with its
licence and the shipped digits data."""

import pathlib
import shutil
import tarfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_sdist_holds_the_project_and_nothing_stray(tmp_path, monkeypatch):
    build = pytest.importorskip("scikit_build_core.build")
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("not run from a source tree")
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".git", "build", "*.so"))
    (tree / "myvenv").mkdir()  # an untracked virtual environment beside the sources
    (tree / "myvenv" / "huge.bin").write_bytes(b"x" * 1000)
    monkeypatch.chdir(tree)
    name = build.build_sdist(str(tmp_path / "dist"))
    with tarfile.open(tmp_path / "dist" / name) as tar:
        members = [m.split("/", 1)[1] for m in tar.getnames() if "/" in m]
    tops = {m.split("/")[0] for m in members}
    assert tops <= {
        "CHANGELOG.md",
        "CMakeLists.txt",
        "LICENSE",
        "README.md",
        "PKG-INFO",
        "pyproject.toml",
        "csrc",
        "python",
        "tests",
        "benchmarks",
        "docs",
        "examples",
        "tools",
    }, tops
    assert "LICENSE" in members and "python/bprop/_data/digits.npz" in members
    assert not any("myvenv" in m or ".venv" in m for m in members)


def test_version_has_one_source():
    """pyproject.toml's version is the one the package reports (read from the install)."""
    import importlib.metadata

    import bprop

    assert bprop.__version__ == importlib.metadata.version("bprop")
    assert bprop.build_info()["version"] == bprop.__version__
    if (ROOT / "pyproject.toml").exists():
        text = (ROOT / "pyproject.toml").read_text()
        assert f'\nversion = "{bprop.__version__}"\n' in text
    init = pathlib.Path(bprop.__file__).read_text()
    assert '__version__ = "' not in init  # no second copy
