"""``.. bprop-cli::``: the command-line reference, generated from the parser.

The directive imports ``bprop.cli.build_parser`` at build time and writes one
section per command (its description, usage and a table of its options with
their help texts and defaults), so the page cannot drift from the code.
"""

from __future__ import annotations

import argparse
import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def _escape(text: str) -> str:
    """Plain text as reST inline text (no markup, no substitutions)."""
    return re.sub(r"([\\*`|_<>])", r"\\\1", " ".join(text.split()))


def _invocation(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    return parser._get_formatter()._format_action_invocation(action)


def _subparsers(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, sub, helps.get(name, "")))
    return out


def _options_table(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        text = action.help or ""
        if action.required and action.option_strings:
            text += " (required)"
        rows += [f"   * - ``{_invocation(parser, action)}``", f"     - {_escape(text)}"]
    if not rows:
        return []
    return [
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 30 70",
        "",
        "   * - argument",
        "     - meaning",
        *rows,
        "",
    ]


def _usage(parser: argparse.ArgumentParser) -> list[str]:
    usage = parser.format_usage().strip()
    return ["", ".. code-block:: text", "", *("   " + line for line in usage.splitlines()), ""]


class CliReference(SphinxDirective):
    """Document ``bprop.cli.build_parser()``: the commands and every option."""

    has_content = False

    def run(self):
        from bprop.cli import build_parser

        parser = build_parser()
        lines = [_escape(parser.description or ""), *_usage(parser), *_options_table(parser)]
        for name, sub, summary in _subparsers(parser):
            title = f"``{parser.prog} {name}``"
            lines += [
                "",
                title,
                "-" * len(title),
                "",
                f"*{_escape(summary)}.*",
                "",
                _escape(sub.description or ""),
                *_usage(sub),
                *_options_table(sub),
            ]
        node_list: list = []
        section = nodes.section()
        section.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="bprop.cli"), section)
        node_list.extend(section.children)
        return node_list


def setup(app: Sphinx) -> dict:
    app.add_directive("bprop-cli", CliReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
