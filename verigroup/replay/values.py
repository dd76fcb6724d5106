"""Replay of game values and curves (issue 14).

``ValueBound`` (normal form): the reported optimal strategies of both sides
are re-read against payoffs recomputed by the scalar evaluator; what the
agent's strategy guarantees (its worst case over the opponent's pure
actions) and what the opponent's strategy concedes (the agent's best pure
reply) must both equal the reported value, which proves the value; the
payoffs must add up to the reported constant at every profile; and the
comparison with the bound must give the verdict.  Protocol values are
re-solved from the tree.  ``CurveSpec``: every reported point is re-solved
from the spec with the param set and compared exactly."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.replay.oracle import frac
from verigroup.replay.result import Mismatch

_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _verdict(ok: bool) -> str:
    return "HOLDS" if ok else "VIOLATED"


class ValueFacts:
    """``fact_ValueBound`` / ``fact_CurveSpec`` for the evidence checker."""

    prop: Any
    ev: dict[str, Any]
    verdict: Any
    spec: str
    o: Any

    def fact_ValueBound(self) -> str:
        value = frac(self.ev.get("value"), "value")
        if _verdict(_OPS[self.prop.op](value, self.prop.bound)) != self.verdict:
            raise Mismatch(f"value {value} {self.prop.op} {self.prop.bound} does not give {self.verdict}")
        tree = getattr(self.o.model, "protocol", None)
        if tree is not None:
            from verigroup.analyses.zerosum_value import tree_value

            got = tree_value(tree, self.prop.agent)
            if got.value != value:
                raise Mismatch(f"the protocol's value for {self.prop.agent} is {got.value}, the report says {value}")
            return f"value({self.prop.agent}) = {value} re-solved from the tree"
        me = self.o.agent(self.prop.agent)
        if self.o.n != 2:
            raise Mismatch("a game value needs two agents")
        total = frac(self.ev.get("total"), "total")
        for prof in self.o.all_profiles():
            if sum(self.o.payoffs(prof), Fraction(0)) != total:
                raise Mismatch(f"the payoffs at {self.o.label(prof)} do not add up to {total}")
        strategies = self.ev.get("strategies")
        mix = self.o.mixed(strategies)
        other = 1 - me
        pay = self.o.pay(me)
        # the agent's strategy against each pure reply of the opponent, and the reverse
        worst = min(self.o.expect_mixed([*(mix[:other]), [(b, Fraction(1))], *(mix[other + 1:])], pay)
                    for b in range(len(self.o.actions(other))))
        best = max(self.o.expect_mixed([*(mix[:me]), [(a, Fraction(1))], *(mix[me + 1:])], pay)
                   for a in range(len(self.o.actions(me))))
        if worst != value or best != value:
            raise Mismatch(f"{self.prop.agent}'s strategy guarantees {worst} and the opponent's concedes {best}; "
                           f"the report says the value is {value}")
        return (f"value({self.prop.agent}) = {value}: guaranteed by its strategy and conceded by the opponent's, "
                "recomputed by the scalar evaluator")

    def fact_CurveSpec(self) -> str:
        from verigroup.curves.compute import evaluate, point

        points = self.ev.get("points")
        if not isinstance(points, list):
            raise Mismatch("the curve's evidence has no points")
        param = self.prop.param
        failing = None
        for k, pt in enumerate(points):
            x = frac(pt.get(param), f"points[{k}].{param}")
            if x not in self.prop.values:
                raise Mismatch(f"points[{k}]: {param} = {x} is not on the curve's range")
            fresh, _ = point(self.o.model, self.prop, x)
            claimed = pt.get("values") or {}
            for name, v in fresh.values:
                if frac(claimed.get(name), f"points[{k}].values.{name}") != v:
                    raise Mismatch(f"at {param} = {x}: {name} is {v}, the report says {claimed.get(name)}")
            if self.prop.require is not None and failing is None:
                if not evaluate(self.prop.require, {**dict(fresh.values), param: x}):
                    failing = x
        if self.verdict == "VIOLATED" and failing is None:
            raise Mismatch("the requirement holds at every reported point, yet the report says VIOLATED")
        if self.verdict == "HOLDS" and failing is not None:
            raise Mismatch(f"the requirement fails at {param} = {failing}, yet the report says HOLDS")
        if self.verdict == "HOLDS" and len(points) != len(self.prop.values):
            raise Mismatch(f"HOLDS with {len(points)} of {len(self.prop.values)} points")
        return f"{len(points)} points re-solved exactly from the spec"
