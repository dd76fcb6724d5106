"""Properties over the plays of a protocol under *mixed* play (issue 14):
``for every|some mixed nash: never|always|eventually φ`` ->
:class:`~verigroup.model.properties.MixedPlayTemporal`.

φ is the same play predicate as for ``for every spe`` (see
:mod:`verigroup.resolve.playprops`); the equilibria are behaviour-strategy
Nash equilibria of the compiled two-agent protocol, checked by
:mod:`verigroup.analyses.oversight`.
"""

from __future__ import annotations

from typing import Any

from verigroup.model import properties as P
from verigroup.resolve.context import Ctx
from verigroup.syntax import ast as A


def resolve_mixed_play(ctx: Ctx, d: A.PropertyDecl, b: A.PPlay, region: Any) -> Any:
    from verigroup.resolve.playprops import _need_tree, phi_of

    if not _need_tree(ctx, b.span, "a property over mixed play"):
        return None
    phi = phi_of(ctx, b.phi)
    if phi is None:
        return None
    return P.MixedPlayTemporal(d.name, P.Quantifier(b.quantifier), b.kind, phi, d.span, region)
