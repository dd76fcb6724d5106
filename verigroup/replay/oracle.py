"""The independent oracle of a replay: exact payoffs and metrics of pure
profiles from the scalar reference evaluator (:mod:`verigroup.evaluate.scalar`),
and small brute-force helpers over them (better replies, pure equilibria,
mixed regret, correlated obedience).  Nothing here calls a checker."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Callable, Iterator, Mapping, Sequence

from verigroup.model.model import Model
from verigroup.replay.result import Mismatch, Skip
from verigroup.verdicts import q

BRUTE_LIMIT = 4096  # profiles: brute-force re-counts up to this size
SUPPORT_LIMIT = 100_000  # support profiles of a mixed equilibrium

Profile = tuple[int, ...]
Point = list[tuple[Profile, Fraction]]  # (pure profile, probability) pairs
Mix = list[list[tuple[int, Fraction]]]  # per agent: (action, probability) pairs


def frac(x: Any, what: str) -> Fraction:
    """An exact number from a report (untrusted: bounded digits and exponents)."""
    from verigroup.io.exact import NumberTooLarge, parse_exact

    if isinstance(x, bool) or not isinstance(x, (str, int, float, Fraction)):
        raise Mismatch(f"{what} is not an exact number: {str(x)[:60]!r}")
    try:
        return x if isinstance(x, Fraction) else parse_exact(str(x)) if not isinstance(x, int) else Fraction(x)
    except NumberTooLarge as exc:
        raise Mismatch(f"{what} is beyond the number limits ({exc})")
    except (ValueError, ZeroDivisionError):
        raise Mismatch(f"{what} is not an exact number: {str(x)[:60]!r}")


def same(what: str, claimed: Any, value: Fraction) -> None:
    if frac(claimed, what) != value:
        raise Mismatch(f"{what}: the report says {claimed}, recomputed {q(value)}")


def swap(prof: Profile, k: int, b: int) -> Profile:
    """``prof`` with agent ``k`` playing action ``b``."""
    return prof[:k] + (b,) + prof[k + 1:]


def moved(prof: Sequence[int], members: Sequence[int], acts: Sequence[int]) -> Profile:
    """``prof`` with each of ``members`` playing its action in ``acts``."""
    p = list(prof)
    for j, a in zip(members, acts):
        p[j] = a
    return tuple(p)


def expect(pt: Point, fn: Callable[[Profile], Fraction]) -> Fraction:
    return sum((p * fn(s) for s, p in pt), Fraction(0))


def is_distribution(probs: Sequence[Fraction]) -> bool:
    return all(p >= 0 for p in probs) and sum(probs) == 1


def support_points(mix: Mix) -> Point:
    """The pure profiles of a mixed profile's support with their probabilities."""
    return [(tuple(i for i, _ in combo), math.prod((p for _, p in combo), start=Fraction(1)))
            for combo in itertools.product(*mix)]


class Oracle:
    """Exact payoffs and metrics of pure profiles via the scalar reference
    evaluator, memoised, plus brute-force helpers over small games."""

    def __init__(self, model: Model, params: Mapping[str, Fraction] | None = None) -> None:
        self.model = model
        self.params = dict(params or {})
        self.names = [a.name for a in model.agents]
        self.index = {a.name: k for k, a in enumerate(model.agents)}
        self._pay: dict[Profile, tuple[Fraction, ...]] = {}
        self._met: dict[Profile, dict[str, Fraction]] = {}
        self._nash: list[Profile] | None = None
        # ---- LANG3 (issue 8): a protocol's normal form is its reduced strategic form;
        # a strategy profile's payoffs are re-derived by walking the tree
        self._sf: Any = None
        self.protocol = model.protocol is not None

    @property
    def n(self) -> int:
        return len(self.model.agents)

    def actions(self, k: int) -> tuple[str, ...]:
        if self.protocol:
            return tuple(self.strategic().game.actions[k])
        return self.model.agents[k].actions

    def strategic(self) -> Any:
        """The protocol's reduced strategic form (strategy names, and each
        strategy's move per information set)."""
        if self._sf is None:
            from verigroup.extensive.reduced import reduced_normal_form

            self._sf = reduced_normal_form(self.model.protocol)
        return self._sf

    def _tree_payoffs(self, prof: Profile) -> tuple[Fraction, ...]:
        """Expected payoffs of a strategic-form profile, by walking the tree."""
        from verigroup.extensive.tree import CHANCE_NODE, TERMINAL

        tree, sf = self.model.protocol, self.strategic()
        choice: dict[int, int] = {}
        for k, s in enumerate(prof):
            for info, a in zip(sf.infosets[k], sf.strategies[k][s]):
                if a >= 0:
                    choice[info] = a
        total = [Fraction(0)] * self.n
        stack: list[tuple[int, Fraction]] = [(0, Fraction(1))]
        while stack:
            v, pr = stack.pop()
            if tree.kind[v] == TERMINAL:
                for k, x in enumerate(tree.payoff(v)):
                    total[k] += pr * x
                continue
            kids = list(tree.children(v))
            if tree.kind[v] == CHANCE_NODE:
                stack.extend((c, pr * p) for c, p in zip(kids, tree.probs(v)) if p != 0)
                continue
            a = choice.get(tree.payload[v])
            if a is None:
                raise Mismatch(f"the strategy profile {self.label(prof)} gives no move at a reached information set")
            stack.append((kids[a], pr))
        return tuple(total)

    # ---------------------------------------------------------- profiles
    def agent(self, name: Any) -> int:
        if name not in self.index:
            raise Mismatch(f"no agent {name!r} in the spec")
        return self.index[name]

    def action(self, k: int, act: Any) -> int:
        if act not in self.actions(k):
            raise Mismatch(f"{self.names[k]} has no action {act!r}")
        return self.actions(k).index(act)

    def profile(self, names: Any) -> Profile:
        if not isinstance(names, dict) or set(names) != set(self.names):
            raise Mismatch(f"profile {names!r} does not name exactly the agents {self.names}")
        return tuple(self.action(k, names[a]) for k, a in enumerate(self.names))

    def apply(self, prof: Profile, deviation: Any) -> Profile:
        if not isinstance(deviation, dict) or not deviation:
            raise Mismatch(f"deviation {deviation!r} is not a non-empty {{agent: action}} map")
        p = list(prof)
        for a, act in deviation.items():
            k = self.agent(a)
            p[k] = self.action(k, act)
        return tuple(p)

    def label(self, prof: Sequence[int]) -> str:
        return "{" + ", ".join(f"{a}: {self.actions(k)[i]}" for k, (a, i) in
                               enumerate(zip(self.names, prof))) + "}"

    # ------------------------------------------------------------ values
    def payoffs(self, prof: Profile) -> tuple[Fraction, ...]:
        if self.protocol and prof not in self._pay:
            self._pay[prof] = self._tree_payoffs(prof)
        if prof not in self._pay:
            from verigroup.evaluate.scalar import payoffs_at

            self._pay[prof] = payoffs_at(self.model, prof, self.params or None)
        return self._pay[prof]

    def metrics(self, prof: Profile) -> dict[str, Fraction]:
        if self.protocol:
            raise Skip("metrics are not defined at strategic-form profiles of a protocol")
        if prof not in self._met:
            from verigroup.evaluate.scalar import metrics_at

            self._met[prof] = metrics_at(self.model, prof, self.params or None)
        return self._met[prof]

    def u(self, k: int, prof: Profile) -> Fraction:
        return self.payoffs(prof)[k]

    def pay(self, k: int) -> Callable[[Profile], Fraction]:
        """Agent ``k``'s payoff as a function of the profile."""
        return lambda prof: self.u(k, prof)

    def metric_of(self, name: str) -> Callable[[Profile], Fraction]:
        """Metric ``name`` as a function of the profile."""
        return lambda prof: self.metrics(prof)[name]

    def condition(self, expr: Any, prof: Profile) -> Any:
        from verigroup.evaluate.scalar import evaluate_expr_at

        return evaluate_expr_at(self.model, expr, prof, None, self.params or None)

    # ------------------------------------------------------- brute force
    def small(self) -> bool:
        return self.size() <= BRUTE_LIMIT

    def size(self) -> int:
        """The number of pure profiles (strategy profiles for a protocol)."""
        if self.protocol:
            return math.prod(len(self.actions(k)) for k in range(self.n))
        return self.model.num_profiles

    def require_small(self, what: str) -> None:
        if not self.small():
            raise Skip(f"{what}: the game has {self.size():,} profiles "
                       f"(brute-force limit {BRUTE_LIMIT:,})")

    def all_profiles(self) -> Iterator[Profile]:
        return itertools.product(*(range(len(self.actions(k))) for k in range(self.n)))

    def better_reply(self, prof: Profile) -> tuple[int, int, Fraction] | None:
        """(agent, action, gain) of the first profitable unilateral deviation."""
        for k in range(self.n):
            cur = self.u(k, prof)
            for b in range(len(self.actions(k))):
                alt = swap(prof, k, b)
                if self.u(k, alt) > cur:
                    return k, b, self.u(k, alt) - cur
        return None

    def pure_nash(self) -> list[Profile]:
        self.require_small("re-counting pure equilibria")
        if self._nash is None:
            self._nash = [p for p in self.all_profiles() if self.better_reply(p) is None]
        return self._nash

    def metric_values(self, metric: str) -> list[tuple[Fraction, Profile]]:
        self.require_small(f"re-computing the range of {metric}")
        return [(self.metrics(p)[metric], p) for p in self.all_profiles()]

    # ------------------------------------------------- mixed & correlated
    def mixed(self, strategies: Any) -> Mix:
        if not isinstance(strategies, dict) or set(strategies) != set(self.names):
            raise Mismatch(f"strategies {strategies!r} do not cover exactly the agents {self.names}")
        out = []
        for k, a in enumerate(self.names):
            s = strategies[a]
            if not isinstance(s, dict) or not s:
                raise Mismatch(f"{a}'s strategy {s!r} is empty")
            pairs = [(self.action(k, act), frac(p, f"{a}'s probability of {act}")) for act, p in s.items()]
            if not is_distribution([p for _, p in pairs]):
                raise Mismatch(f"{a}'s probabilities {s} are not a distribution (they sum to "
                               f"{q(sum((p for _, p in pairs), Fraction(0)))})")
            out.append([(i, p) for i, p in pairs if p != 0])
        if math.prod(len(s) for s in out) > SUPPORT_LIMIT:
            raise Skip("the support of the mixed profile is too large to enumerate")
        return out

    def expect_mixed(self, mix: Mix, fn: Callable[[Profile], Fraction]) -> Fraction:
        return expect(support_points(mix), fn)

    def mixed_regret(self, mix: Mix) -> tuple[Fraction, str]:
        """Largest gain of a pure deviation against the mixed profile."""
        worst, where = Fraction(0), ""
        for k in range(self.n):
            cur = self.expect_mixed(mix, self.pay(k))
            for b in range(len(self.actions(k))):
                alt = mix[:k] + [[(b, Fraction(1))]] + mix[k + 1:]
                gain = self.expect_mixed(alt, self.pay(k)) - cur
                if gain > worst:
                    worst, where = gain, f"{self.names[k]} switching to {self.actions(k)[b]} gains {q(gain)}"
        return worst, where

    def distribution(self, dist: Any) -> Point:
        if not isinstance(dist, list) or not dist:
            raise Mismatch("the distribution is not a non-empty list")
        out = [(self.profile(d.get("profile")), frac(d.get("probability"), "a probability"))
               for d in dist]
        if not is_distribution([p for _, p in out]):
            raise Mismatch("the distribution's probabilities are not a distribution")
        return out

    def correlated_violation(self, dist: Point, coarse: bool) -> str | None:
        """The first broken obedience (CE) / participation (CCE) constraint."""
        for k in range(self.n):
            recs = sorted({s[k] for s, _ in dist}) if not coarse else [None]
            for a in recs:
                part = [(s, p) for s, p in dist if a is None or s[k] == a]
                for b in range(len(self.actions(k))):
                    gain = expect(part, lambda s: self.u(k, swap(s, k, b)) - self.u(k, s))
                    if gain > 0:
                        told = "" if a is None else f" when told {self.actions(k)[a]}"
                        return f"{self.names[k]} gains {q(gain)} by playing {self.actions(k)[b]}{told}"
        return None


def compare_values(oracle: Oracle, where: str, claimed: Any, values: Mapping[str, Fraction]) -> None:
    if not isinstance(claimed, dict):
        raise Mismatch(f"{where} is not a map")
    for name, v in claimed.items():
        if name not in values:
            raise Mismatch(f"{where}: {name!r} is not known to the spec")
        same(f"{where}.{name}", v, values[name])


def pay_map(oracle: Oracle, prof: Profile) -> dict[str, Fraction]:
    return dict(zip(oracle.names, oracle.payoffs(prof)))
