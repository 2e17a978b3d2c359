"""Issue 21, "Messages and friction": what a new user met, each point checked
by the real message or value."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import bprop
from bprop._internal.checks import ACTIVATIONS

ROOT = Path(__file__).resolve().parent.parent


def _source_tree():
    if not (ROOT / "python" / "bprop").is_dir():
        pytest.skip("the source tree is not next to the tests (installed test run)")
    return ROOT


# ---- stale comments and dead code ------------------------------------------------------

def test_paths_named_in_comments_exist():
    root = _source_tree()
    named = re.compile(r"\b(?:tools|tests|csrc|python|docs|benchmarks|examples)/[\w./-]+"
                       r"\.(?:sh|py|pyi|hpp|cpp|md)\b")
    files = [root / "CMakeLists.txt", root / "pyproject.toml",
             *(p for d in ("csrc", "python", "tools", "docs", "tests", "benchmarks")
               for p in (root / d).rglob("*") if p.suffix in (".py", ".pyi", ".hpp", ".cpp",
                                                             ".sh", ".md", ".txt"))]
    missing = [f"{f.relative_to(root)}: {path}" for f in files
               for path in named.findall(f.read_text(errors="replace"))
               if not (root / path).exists()]
    assert missing == []


def test_kernels_header_counts_its_entry_points():
    text = (_source_tree() / "csrc" / "bprop" / "kernels.hpp").read_text()
    declared = re.findall(r"template <class T>\n\w+ (\w+)\(", text)
    said = re.search(r"The (\w+) entry points", text).group(1)
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    assert words[said] == len(declared) == 4
    assert all(name in text.split("\n\n")[0] for name in declared)


def test_activation_lists_in_docstrings_name_every_activation():
    from bprop.estimators import BackpropClassifier

    for doc in (bprop.cost.__doc__, BackpropClassifier.__doc__):
        listed = re.search(r"activation : \{([^}]*)\}", doc).group(1)
        assert sorted(re.findall(r'"(\w+)"', listed)) == sorted(ACTIVATIONS)


def _unused_imports(path):
    tree = ast.parse(path.read_text())
    probes = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)  # `try: import x`:
              for s in t.body for n in ast.walk(s)}                       # is x installed?
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in probes and \
                getattr(node, "module", "") != "__future__":
            for alias in node.names:
                imported[(alias.asname or alias.name).split(".")[0]] = node.lineno
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    exported = set()
    for node in ast.walk(tree):  # names listed in __all__ count as used
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__"
                                                for t in node.targets):
            exported |= {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)}
    return sorted(name for name in imported if name not in used | exported)


def test_no_dead_code():
    package = _source_tree() / "python" / "bprop"
    unused = {str(p.relative_to(package)): names for p in package.rglob("*.py")
              if p.name != "__init__.py" and (names := _unused_imports(p))}
    assert unused == {}
    from bprop.training import NoImprovement
    assert not hasattr(NoImprovement, "best_value")  # nothing read it
