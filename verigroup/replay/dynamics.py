"""Independent re-checks of the dynamics properties (issue 12).

The payoff matrix is recomputed from the spec by the scalar evaluator (the
replay oracle), not taken from the tensor the checker used, and each fact is
re-derived by a different method than the checker's:

* ESS / neutral stability: Maynard Smith's *definition* handed to Z3 as a
  nonlinear real-arithmetic question (is there a mutant ``y != x`` with
  ``y.Ax > x.Ax``, or ``y.Ax == x.Ax`` and ``y.Ay >= x.Ay``?) instead of the
  checker's cone reduction; a violation's better reply is recomputed;
* two-strategy basins from the closed form of the mixed rest point;
* risk dominance / stochastic stability from the Harsanyi-Selten product of
  deviation losses;
* every_ess: each listed ESS re-verified and its metric recomputed;
* learners_reach is statistical: re-run it from its seeds (skipped here).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.replay.base import CheckerBase
from verigroup.replay.result import Mismatch, Skip


class DynamicsFacts(CheckerBase):
    def _matrix(self) -> tuple[list[list[Fraction]], tuple[str, ...]]:
        o = self.o
        if o.n != 2 or o.actions(0) != o.actions(1):
            raise Mismatch("the spec is not a symmetric two-agent game")
        n = len(o.actions(0))
        a = [[o.u(0, (i, j)) for j in range(n)] for i in range(n)]
        if any(a[i][j] != o.u(1, (j, i)) for i in range(n) for j in range(n)):
            raise Mismatch("the payoffs are not symmetric")
        return a, o.actions(0)

    def _strategy(self, d: Any, actions: tuple[str, ...]) -> tuple[Fraction, ...]:
        if not isinstance(d, dict) or set(d) != set(actions):
            raise Mismatch("the evidence's strategy does not name the population's actions")
        return tuple(Fraction(str(d[a])) for a in actions)

    def _invader(self, a: list[list[Fraction]], x: tuple[Fraction, ...], strict: bool) -> tuple[Fraction, ...] | None:
        """A mutant that (weakly) invades x, by Z3 on the definition; None if none."""
        import z3

        n = len(x)
        y = [z3.Real(f"y{i}") for i in range(n)]
        s = z3.SolverFor("QF_NRA")
        s.set("timeout", 20_000)
        s.add(*[v >= 0 for v in y], z3.Sum(y) == 1)
        s.add(z3.Sum([(y[i] - z3.RealVal(str(x[i]))) ** 2 for i in range(n)]) > 0)

        def val(p: list[Any], qv: list[Any]) -> Any:
            return z3.Sum([p[i] * z3.RealVal(str(a[i][j])) * qv[j] for i in range(n) for j in range(n)])
        xs = [z3.RealVal(str(v)) for v in x]
        first = val(y, xs) - val(xs, xs)
        second = val(y, y) - val(xs, y)
        s.add(z3.Or(first > 0, z3.And(first == 0, second >= 0 if strict else second > 0)))
        r = s.check()
        if r == z3.unsat:
            return None
        if r != z3.sat:
            raise Skip("Z3 did not decide the stability re-check")
        m = s.model()
        return tuple(Fraction(str(m.eval(v, model_completion=True).as_fraction())) for v in y)

    def fact_EvolutionaryProperty(self) -> str:
        kind = str(self.ev.get("kind", ""))
        a, acts = self._matrix()
        n = len(acts)
        if kind in ("dynamics.ess", "dynamics.neutrally_stable"):
            x = self._strategy(self.ev.get("strategy"), acts)
            inv = self._invader(a, x, strict=kind == "dynamics.ess")
            word = "an ESS" if kind == "dynamics.ess" else "neutrally stable"
            if self.verdict == "HOLDS" and inv is not None:
                raise Mismatch(f"the strategy is not {word}: mutant {[str(v) for v in inv]} invades it")
            if self.verdict == "VIOLATED" and inv is None:
                raise Mismatch(f"no mutant invades the strategy: it is {word}")
            return (f"{word}: no mutant invades (Z3 on the definition)" if inv is None
                    else f"not {word}: mutant {[str(v) for v in inv]} invades (Z3 on the definition)")
        if kind == "dynamics.basin":
            if n != 2 or "statistical" in self.ev:
                raise Skip("estimated basins are not re-checked")
            x = self._strategy(self.ev.get("attractor"), acts)
            c0, c1 = a[0][0] - a[1][0], a[0][1] - a[1][1]
            root = c1 / (c1 - c0) if c0 != c1 and 0 < c1 / (c1 - c0) < 1 else None
            if root is None:
                # one sign of the gain on (0, 1): everything flows to one end
                g = c1 + (c0 - c1) / 2
                share = Fraction(int((g > 0) == (x[0] == 1))) if g != 0 else Fraction(0)
            elif c0 > c1:  # gain increasing: the ends attract, the root splits
                share = (1 - root) if x[0] == 1 else root if x[0] == 0 else Fraction(0)
            else:  # gain decreasing: the interior root attracts everything
                share = Fraction(1) if x[0] == root else Fraction(0)
            if Fraction(str(self.ev.get("share"))) != share:
                raise Mismatch(f"the basin share is {share}, not {self.ev.get('share')}")
            return f"basin share {share} (closed form of the two-strategy rest point)"
        if kind in ("dynamics.stochastically_stable", "dynamics.risk_dominant"):
            conv = [i for i in range(n) if all(a[i][i] > a[k][i] for k in range(n) if k != i)]
            if len(conv) != 2 or n != 2:
                raise Skip("re-checked for two conventions only")
            i, j = conv
            li, lj = a[i][i] - a[j][i], a[j][j] - a[i][j]
            chosen = {acts[i]} if li > lj else {acts[j]} if lj > li else {acts[i], acts[j]}
            if set(self.ev.get("selected", [])) != chosen:
                raise Mismatch(f"the selected convention(s) are {sorted(chosen)}, not {self.ev.get('selected')}")
            return f"selected {sorted(chosen)} (Harsanyi-Selten product of deviation losses)"
        if kind == "dynamics.every_ess":
            metric = str(self.ev.get("metric"))
            fn = self.o.metric_of(metric)
            for entry in self.ev.get("ess", []):
                x = self._strategy(entry.get("strategy"), acts)
                if self._invader(a, x, strict=True) is not None:
                    raise Mismatch(f"{entry.get('strategy')} is listed as an ESS but a mutant invades it")
                value = sum((x[i] * x[j] * fn((i, j)) for i in range(n) for j in range(n)), Fraction(0))
                if str(value) != str(Fraction(str(entry.get("value")))):
                    raise Mismatch(f"{metric} at {entry.get('strategy')} is {value}, not {entry.get('value')}")
            return f"{len(self.ev.get('ess', []))} listed ESS re-verified and their {metric} recomputed"
        raise Skip("statistical results are re-run from their seeds, not replayed")
