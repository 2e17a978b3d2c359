"""docs/guide.md: every code block runs, in order, in one namespace."""

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide.md"


def blocks():
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)


def test_guide_runs(tmp_path, monkeypatch, capsys):
    if not GUIDE.exists():
        pytest.skip("docs/guide.md is not next to the tests (installed test run)")
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)  # the guide saves its pictures in the working directory
    namespace: dict = {}
    code = blocks()
    assert len(code) >= 15
    for i, block in enumerate(code):
        exec(compile(block, f"guide.md block {i + 1}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "gradient check passed" in out and "gradient check FAILED" in out
    assert "hint: the output layer's gradient is right but Theta1 is not" in out
    pictures = {
        "learning_curves.png",
        "hidden_weights.png",
        "confusion_matrix.png",
        "learning_curve.png",
        "validation_curve.png",
        "gradient_norms.png",
    }
    assert pictures <= {p.name for p in tmp_path.iterdir()}
    # the symmetry demonstration: trained from zeros, the hidden units are identical
    import numpy as np

    same = namespace["same"][0]
    assert np.abs(same - same[0]).max() < 1e-12 and np.abs(same).max() > 1e-3
    gn = namespace["gn"].norms[0]
    assert gn[0] < gn[-1] / 100
