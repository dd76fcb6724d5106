"""HTML and Markdown renderings of a dynamics result, with the pictures of
:mod:`verigroup.dynamics.plots` embedded as ``data:`` URIs (self-contained:
nothing is fetched when the report is viewed).  Also the notebook display
(``DynamicsResult._repr_html_``)."""

from __future__ import annotations

import html
from typing import Any

from verigroup.dynamics.text import render_text


def _pictures(res: Any) -> list[tuple[str, str]]:
    try:
        from verigroup.dynamics.plots import all_pictures

        return all_pictures(res)
    except ImportError:  # matplotlib is the optional `plots` extra
        return []


def result_html(res: Any, standalone: bool = False) -> str:
    body = [f"<h2>Dynamics of {html.escape(res.game)}</h2>",
            f"<pre>{html.escape(render_text(res))}</pre>"]
    pics = _pictures(res)
    for caption, uri in pics:
        body.append(f'<figure><img alt="{html.escape(caption)}" src="{uri}"/>'
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    if not pics:
        body.append("<p><em>pictures need matplotlib: pip install 'verigroup[plots]'</em></p>")
    inner = "\n".join(body)
    if not standalone:
        return f'<div class="verigroup-dynamics">{inner}</div>'
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/>"
            f"<title>verigroup dynamics: {html.escape(res.game)}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "figure{display:inline-block;margin:1em}pre{background:#f6f6f6;padding:1em}</style>"
            f"</head><body>\n{inner}\n</body></html>\n")


def result_markdown(res: Any) -> str:
    lines = [f"# Dynamics of {res.game}", "", "```text", render_text(res).rstrip(), "```", ""]
    for caption, uri in _pictures(res):
        lines += [f"![{caption}]({uri})", ""]
    return "\n".join(lines)
