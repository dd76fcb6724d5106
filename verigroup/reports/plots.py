"""Pictures for the HTML report, as self-contained ``data:`` URIs.

matplotlib (Agg, imported lazily) draws SVG that is embedded in the page
as ``data:image/svg+xml;base64,…``: no file, no network.  Output is
deterministic (fixed ``svg.hashsalt``, no date in the metadata), so the
same report renders byte-identically.

Positions are floats — pictures decide nothing; every number *written* on
a picture is the exact one (``p/q``, or a marked decimal for long ones).

* :func:`game_tree` — a small protocol's tree, the equilibrium path drawn
  thick;
* :func:`number_line` — a parameter region (a union of intervals) on the
  parameter's range, open/closed endpoints, and the counterexample value.

Each returns None when matplotlib is missing or the picture would not be
readable (too large), and the HTML report then simply has no picture.
"""

from __future__ import annotations

import base64
import functools
import io
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from verigroup.reports.mathfmt import num

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.extensive.tree import GameTree

PATH_COLOUR = "#bf3989"
REGION_COLOUR = "#1a7f37"
EDGE_COLOUR = "#57606a"
Piece = tuple[Fraction | None, Fraction | None, bool, bool]  # lo, hi (None: unbounded), closedness


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError:  # the plots extra is not installed
        return None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({"svg.hashsalt": "verigroup", "svg.fonttype": "none",
                                "font.size": 9, "font.family": "DejaVu Sans"})
    return plt


def data_uri(fig: Any) -> str:
    """The figure as an SVG data URI (and closes it)."""
    plt = _plt()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    if plt is not None:
        plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


_TREE_CACHE: dict[tuple[int, tuple[int, ...]], tuple[Any, str | None]] = {}


def game_tree(tree: "GameTree", path_nodes: Sequence[int] = ()) -> str | None:
    """The tree of a small protocol (see :data:`treeview.DRAW_LIMIT`) with
    the nodes of ``path_nodes`` (an equilibrium path) highlighted.  Trees are
    immutable, so pictures are memoised (the cache holds the tree, so its id
    is not reused while cached)."""
    key = (id(tree), tuple(path_nodes))
    hit = _TREE_CACHE.get(key)
    if hit is not None and hit[0] is tree:
        return hit[1]
    uri = _draw_tree(tree, path_nodes)
    if len(_TREE_CACHE) > 32:
        _TREE_CACHE.clear()
    _TREE_CACHE[key] = (tree, uri)
    return uri


def _draw_tree(tree: "GameTree", path_nodes: Sequence[int]) -> str | None:
    from verigroup.reports.treeview import layout

    lay = layout(tree)
    plt = _plt()
    if lay is None or plt is None:
        return None
    on_path = set(path_nodes)
    leaves = max(1, sum(1 for v in lay.nodes if v not in {p for p, _, _ in lay.edges}))
    depth = max(lay.y.values()) if lay.y else 0
    fig, ax = plt.subplots(figsize=(min(14.0, 1.0 + 1.1 * leaves), 1.2 + 1.1 * depth))
    for parent, child, label in lay.edges:
        hot = parent in on_path and child in on_path
        xs, ys = (lay.x[parent], lay.x[child]), (-lay.y[parent], -lay.y[child])
        ax.plot(xs, ys, color=PATH_COLOUR if hot else EDGE_COLOUR, linewidth=3.0 if hot else 1.0, zorder=1)
        ax.text((xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2, label, fontsize=8, ha="center", va="center",
                color=PATH_COLOUR if hot else "#1b1f24", backgroundcolor="white", zorder=3)
    for v in lay.nodes:
        leaf = v not in {p for p, _, _ in lay.edges}
        hot = v in on_path
        ax.scatter([lay.x[v]], [-lay.y[v]], s=30 if leaf else 60, zorder=2,
                   color=PATH_COLOUR if hot else ("white" if leaf else "#0969da"),
                   edgecolors=PATH_COLOUR if hot else "#0969da")
        ax.text(lay.x[v], -lay.y[v] + (-0.22 if leaf else 0.2), lay.labels[v], ha="center",
                va="top" if leaf else "bottom", fontsize=8, fontweight="bold" if hot else "normal")
    ax.set_axis_off()
    ax.margins(x=0.08, y=0.15)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9 if on_path else 0.97, bottom=0.08)
    if on_path:
        ax.set_title("equilibrium path in colour", fontsize=9, color=PATH_COLOUR)
    return data_uri(fig)


def number_line(var: str, pieces: Sequence[Piece], domain: tuple[Fraction, Fraction] | None = None,
                mark: Fraction | None = None, mark_label: str = "counterexample") -> str | None:
    """``pieces`` (where the property holds) drawn on the range ``domain``
    of ``var``; ``mark`` (a counterexample value) as a red cross."""
    return _number_line(var, tuple(pieces), domain, mark, mark_label)


@functools.lru_cache(maxsize=64)
def _number_line(var: str, pieces: tuple[Piece, ...], domain: tuple[Fraction, Fraction] | None,
                 mark: Fraction | None, mark_label: str) -> str | None:
    plt = _plt()
    if plt is None:
        return None
    ends = [x for p in pieces for x in p[:2] if x is not None] + ([mark] if mark is not None else [])
    if domain is not None:
        lo_d, hi_d = domain
    elif ends:
        lo_d, hi_d = min(ends), max(ends)
    else:
        lo_d, hi_d = Fraction(0), Fraction(1)
    if lo_d == hi_d:
        lo_d, hi_d = lo_d - 1, hi_d + 1
    pad = (hi_d - lo_d) / 10
    fig, ax = plt.subplots(figsize=(6.4, 1.1))
    ax.plot([float(lo_d - pad), float(hi_d + pad)], [0, 0], color=EDGE_COLOUR, linewidth=1, zorder=1)
    ticks = {lo_d, hi_d}
    for lo, hi, lc, hc in pieces:
        a = lo if lo is not None else lo_d - pad
        b = hi if hi is not None else hi_d + pad
        ax.plot([float(a), float(b)], [0, 0], color=REGION_COLOUR, linewidth=6, solid_capstyle="butt", zorder=2)
        for x, closed in ((lo, lc), (hi, hc)):
            if x is None:
                continue
            ticks.add(x)
            ax.scatter([float(x)], [0], s=55, zorder=3, color=REGION_COLOUR if closed else "white",
                       edgecolors=REGION_COLOUR, linewidths=2)
    if mark is not None:
        ax.scatter([float(mark)], [0], marker="x", s=80, color="#cf222e", zorder=4, linewidths=2.5)
        ax.annotate(f"{mark_label}: {var} = {num(mark)}", (float(mark), 0), xytext=(0, 12),
                    textcoords="offset points", ha="center", fontsize=8, color="#cf222e")
    shown = sorted(ticks)[:12]
    ax.set_xticks([float(t) for t in shown], [num(t, short=10, digits=4) for t in shown])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.set_xlim(float(lo_d - pad), float(hi_d + pad))
    ax.set_xlabel(f"{var}  (green: the property holds; filled dot: endpoint included)", fontsize=8)
    fig.subplots_adjust(left=0.03, right=0.97, top=0.75, bottom=0.45)
    return data_uri(fig)
