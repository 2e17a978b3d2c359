"""Sphinx configuration for bprop's documentation.

Build (from the repository root):

    pip install ".[docs]" && sphinx-build -W -n -b html docs docs/_build/html

The site reads offline: the theme ships its assets and formulas are MathML
(docs/_ext/mathml_math.py), so no page loads anything from the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

import bprop

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "bprop"
author = "The bprop developers"
copyright = "The bprop developers"
release = bprop.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
    "mathml_math",
    "cli_reference",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"
# "--resume" stays two hyphens (no typographic dashes in option names)
smartquotes = False

# MyST: $...$ math, ::: fences, and heading anchors for links such as guide.md#section
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# Executed pages: run at every build; a failing cell fails the build.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_show_tb = True
nb_merge_streams = True

# API reference: the signatures without annotations (the numpydoc sections give every
# type and shape), members in source order.
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_default_options = {
    "members": True,
    # scikit-learn's metadata-routing setters, generated on every estimator class
    "exclude-members": "set_fit_request, set_partial_fit_request, set_score_request",
}
templates_path = ["_templates"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Formulas as MathML: no MathJax from a CDN.
html_math_renderer = "mathml"

html_theme = "furo"
html_title = f"bprop {release}"
html_static_path = ["_static"]
html_css_files = ["bprop.css"]
html_show_sourcelink = False
html_theme_options = {"navigation_with_keys": True}

nitpicky = True
nitpick_ignore_regex = [
    # plain-language types in numpydoc sections and names of other libraries: no
    # inventories are fetched (the build works offline)
    (r"py:.*", r"(numpy|np|scipy|sklearn|matplotlib|mpi4py|argparse|pathlib|os|typing|copy)\..*"),
    (r"py:mod", r"csv|copy|pickle"),
    # training's internals (the solvers, the objective) are not public API
    (r"py:.*", r"bprop\.training(\..*)?"),
]
