"""Pictures of a dynamics result: PNG images as base64 ``data:`` URIs, drawn
with matplotlib (Agg backend, no display, no network) at report time from
the result record -- never by the analyses.

* phase portrait: the replicator flow on [0, 1] (two strategies) or on the
  simplex (three strategies), or on the unit square (2x2 two populations),
  rest points drawn by stability (filled: stable, open: unstable,
  half-filled: saddle, grey: neutral), basins shaded;
* the alpha-Rank response graph (node size = stationary mass, arrows where
  the fixation probability beats the neutral 1/m);
* learning curves (share of runs at each outcome over training).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
MARK = {"stable": dict(marker="o", facecolor="black", edgecolor="black"),
        "unstable": dict(marker="o", facecolor="white", edgecolor="black"),
        "saddle": dict(marker="o", facecolor="#bbbbbb", edgecolor="black"),
        "neutral": dict(marker="s", facecolor="#888888", edgecolor="black")}


def _figure(w: float = 4.2, h: float = 3.4) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(w, h), dpi=100)
    return fig, ax


def _uri(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def phase_portrait(res: Any) -> str | None:
    if res.kind == "single-population":
        n = len(res.actions[0])
        if n == 2:
            return _line(res)
        if n == 3:
            return _simplex(res)
        return None
    if len(res.actions[0]) == 2 and len(res.actions[1]) == 2:
        return _square(res)
    return None


def _line(res: Any) -> str:
    a = np.array([[float(v) for v in r] for r in res.tables[0]])
    fig, ax = _figure(4.6, 2.6)
    xs = np.linspace(0, 1, 301)
    gain = (a[0, 0] - a[1, 0]) * xs + (a[0, 1] - a[1, 1]) * (1 - xs)
    ax.plot(xs, xs * (1 - xs) * gain, color="black", lw=1.2)
    ax.axhline(0, color="#999999", lw=0.8)
    for k, b in enumerate(res.basins):
        lo = min([float(b.attractor[0])] + [float(x) for x in b.boundary])
        hi = max([float(b.attractor[0])] + [float(x) for x in b.boundary])
        ax.axvspan(lo, hi, color=COLOURS[k % len(COLOURS)], alpha=0.18,
                   label=f"basin of {_name(res, b.attractor)} ({b.share})")
    for r in res.rest_points:
        ax.scatter([float(r.strategy[0])], [0], s=60, zorder=3, linewidths=1.2, **MARK[r.stability])
    ax.set_xlabel(f"share playing {res.actions[0][0]}")
    ax.set_ylabel("dx/dt (replicator)")
    ax.legend(fontsize=7, loc="best")
    ax.set_title("replicator dynamics", fontsize=9)
    return _uri(fig)


def _to_xy(p: np.ndarray) -> np.ndarray:
    return np.stack([p[..., 1] + p[..., 2] / 2, p[..., 2] * np.sqrt(3) / 2], axis=-1)


def _simplex(res: Any, grid: int = 60) -> str:
    from verigroup.dynamics.sampling import classify_endpoints, simplex_grid, symmetric_flow, _rk4

    a = res.tables[0]
    fig, ax = _figure(4.4, 4.0)
    pts = simplex_grid(3, grid)
    stable = [r.strategy for r in res.rest_points if r.stability == "stable"]
    if stable:
        ends = _rk4(symmetric_flow(a), pts.copy(), 0.1, 4000)
        ends = ends / ends.sum(axis=1, keepdims=True)
        d = np.abs(ends[:, None, :] - np.array([[float(v) for v in s] for s in stable])[None]).max(axis=2)
        lab = np.where(d.min(axis=1) <= 1e-3, d.argmin(axis=1), -1)
        xy = _to_xy(pts)
        for k in range(len(stable)):
            sel = lab == k
            ax.scatter(xy[sel, 0], xy[sel, 1], s=6, color=COLOURS[k % len(COLOURS)], alpha=0.35,
                       label=f"basin of {_name(res, stable[k])}")
    coarse = simplex_grid(3, 14)
    coarse = coarse[(coarse > 0).all(axis=1)]
    v = symmetric_flow(a)(coarse)
    xy = _to_xy(coarse)
    dxy = _to_xy(coarse + v) - xy
    norm = np.hypot(dxy[:, 0], dxy[:, 1]) + 1e-12
    ax.quiver(xy[:, 0], xy[:, 1], dxy[:, 0] / norm, dxy[:, 1] / norm, angles="xy", scale=28, width=0.004,
              color="#333333")
    tri = np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2], [0, 0]])
    ax.plot(tri[:, 0], tri[:, 1], color="black", lw=1)
    for k, name in enumerate(res.actions[0]):
        x, y = tri[k]
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(0, -12 if y == 0 else 5),
                    ha="center", fontsize=8)
    for r in res.rest_points:
        p = _to_xy(np.array([float(v) for v in r.strategy]))
        ax.scatter([p[0]], [p[1]], s=60, zorder=3, linewidths=1.2, **MARK[r.stability])
    ax.set_aspect("equal")
    ax.axis("off")
    if stable:
        ax.legend(fontsize=7, loc="upper right", markerscale=3)
    ax.set_title("replicator dynamics on the simplex", fontsize=9)
    return _uri(fig)


def _square(res: Any) -> str:
    a = np.array([[float(v) for v in r] for r in res.tables[0]])
    b = np.array([[float(v) for v in r] for r in res.tables[1]])
    fig, ax = _figure(4.0, 4.0)
    g = np.linspace(0.03, 0.97, 15)
    x, y = np.meshgrid(g, g)
    dx = x * (1 - x) * ((a[0, 0] - a[1, 0]) * y + (a[0, 1] - a[1, 1]) * (1 - y))
    dy = y * (1 - y) * ((b[0, 0] - b[0, 1]) * x + (b[1, 0] - b[1, 1]) * (1 - x))
    ax.streamplot(x, y, dx, dy, color="#555555", density=0.9, linewidth=0.8)
    for r in res.rest_points:
        ax.scatter([float(r.strategy[0])], [float(r.strategy[2])], s=60, zorder=3, linewidths=1.2,
                   **MARK[r.stability])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"{res.populations[0]}: share {res.actions[0][0]}")
    ax.set_ylabel(f"{res.populations[1]}: share {res.actions[1][0]}")
    ax.set_title("two-population replicator dynamics", fontsize=9)
    return _uri(fig)


def _name(res: Any, strategy: Any) -> str:
    acts = res.actions[0] if res.kind == "single-population" else res.actions[0] + res.actions[1]
    pure = [a for a, v in zip(acts, strategy) if v == 1]
    if res.kind == "single-population" and pure:
        return pure[0]
    if res.kind == "two-population" and len(pure) == 2:
        return "/".join(pure)
    return "mixed"


def alpharank_graph(res: Any) -> str | None:
    ar = res.alpharank
    if ar is None:
        return None
    n = len(ar.states)
    fig, ax = _figure(4.2, 4.0)
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False) + np.pi / 2
    pos = np.stack([np.cos(ang), np.sin(ang)], axis=1)
    for s, t, ratio in ar.edges:
        if ratio > 1.0 + 1e-9:
            ax.annotate("", xy=pos[t], xytext=pos[s],
                        arrowprops=dict(arrowstyle="->", color="#444444", lw=0.9, shrinkA=14, shrinkB=14))
    for k, (state, mass) in enumerate(zip(ar.states, ar.masses)):
        ax.scatter([pos[k, 0]], [pos[k, 1]], s=150 + 1500 * mass.approx, color=COLOURS[0], alpha=0.8, zorder=3)
        label = res.actions[0][state[0]] if res.kind == "single-population" else \
            f"{res.actions[0][state[0]]}/{res.actions[1][state[1]]}"
        ax.annotate(f"{label}\n{mass.approx:.3f}", pos[k], textcoords="offset points", xytext=(0, 16),
                    ha="center", fontsize=7)
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.6, 1.7)
    ax.axis("off")
    alpha = "inf" if ar.alpha is None else str(ar.alpha)
    ax.set_title(f"alpha-Rank (alpha = {alpha}, m = {ar.m})", fontsize=9)
    return _uri(fig)


def learning_curves(res: Any) -> str | None:
    lg = res.learning
    if lg is None or not any(lr.curve for lr in lg.learners):
        return None
    fig, ax = _figure(4.8, 3.0)
    k = 0
    for lr in lg.learners:
        if not lr.curve:
            continue
        labels = sorted({lab for _, c in lr.curve for lab, _ in c})
        for lab in labels:
            xs = [ep for ep, _ in lr.curve]
            ys = [dict(c).get(lab, 0) / lr.runs for _, c in lr.curve]
            ax.plot(xs, ys, color=COLOURS[k % len(COLOURS)], lw=1.2, label=f"{lr.learner}: {lab}")
            k += 1
    ax.set_xlabel("training episodes")
    ax.set_ylabel("share of runs")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=6, loc="best")
    ax.set_title("learners (statistical)", fontsize=9)
    return _uri(fig)


def all_pictures(res: Any) -> list[tuple[str, str]]:
    """(caption, data URI) for every picture that applies."""
    out = []
    for caption, fn in (("phase portrait and basins", phase_portrait),
                        ("alpha-Rank response graph", alpharank_graph),
                        ("learning curves", learning_curves)):
        uri = fn(res)
        if uri:
            out.append((caption, uri))
    return out
