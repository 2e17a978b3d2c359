"""The pip command that adds an extra to *this* installation of bprop.

Installed from PyPI it is ``pip install "bprop[plot]"``; installed from a
checkout (``pip install .``) that would fetch another bprop, so the hint names
the checkout, as pip recorded it (PEP 610's direct_url.json).
"""

from __future__ import annotations

import json
from importlib import metadata
from urllib.parse import unquote, urlparse


def install_hint(extra: str) -> str:
    try:
        text = metadata.distribution("bprop").read_text("direct_url.json")
        url = json.loads(text)["url"] if text else ""
    except (metadata.PackageNotFoundError, ValueError, KeyError, TypeError):
        url = ""
    if url.startswith("file://"):
        return f'pip install "{unquote(urlparse(url).path)}[{extra}]"'
    return f'pip install "bprop[{extra}]"'
