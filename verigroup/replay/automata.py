"""Independent re-check of automaton strategies of an infinitely repeated
game (``grim_trigger(c, p) is spe``, ``tit_for_tat(c) is spe``,
``threshold_discount(...) op v``).

The joint automaton is rebuilt here from the property alone, stage payoffs
come from the scalar reference evaluator (:class:`.oracle.Oracle`), the
value of each joint state is the exact discounted sum along its
(eventually periodic) prescribed path, and the one-shot deviation principle
is applied in every reachable joint state.  A discount threshold is checked
at sample discounts only (at the threshold, above it, just below it); the
exact region is left to the fresh run, and the finding says so."""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

from verigroup.replay.base import CheckerBase
from verigroup.replay.oracle import Profile, frac, same
from verigroup.replay.result import Mismatch
from verigroup.verdicts import q

State = tuple[str, ...]

_OPS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


class AutomatonFacts(CheckerBase):
    def auto_machine(self) -> tuple[State, Callable[[State], Profile], Callable[[State, Profile], State]]:
        """Initial joint state, prescribed profile and transition."""
        o = self.o
        n = o.n
        args = self.prop.args
        if self.prop.strategy == "grim_trigger":
            coop = tuple(o.action(k, args[0]) for k in range(n))
            pun = tuple(o.action(k, args[1]) for k in range(n))

            def play_g(s: State) -> Profile:
                return coop if s[0] == "coop" else pun

            def step_g(s: State, a: Profile) -> State:
                return s if s[0] == "punish" or a == coop else ("punish",) * n

            return ("coop",) * n, play_g, step_g
        if n != 2:
            raise Mismatch("tit-for-tat is defined for two agents")
        # each agent's state is the action it will play: the other's last action

        def play_t(s: State) -> Profile:
            return (o.action(0, s[0]), o.action(1, s[1]))

        def step_t(s: State, a: Profile) -> State:
            return (o.actions(1)[a[1]], o.actions(0)[a[0]])

        return (args[0], args[0]), play_t, step_t

    def auto_states(self) -> list[State]:
        start, _, step = self.auto_machine()
        seen, todo = [start], [start]
        while todo:
            s = todo.pop()
            for a in self.o.all_profiles():
                t = step(s, a)
                if t not in seen:
                    seen.append(t)
                    todo.append(t)
        return seen

    def auto_value(self, s: State, delta: Fraction) -> tuple[Fraction, ...]:
        """Discounted sum of stage payoffs along the prescribed play from s."""
        _, play, step = self.auto_machine()
        order: list[State] = []
        while s not in order:
            order.append(s)
            s = step(s, play(s))
        m = order.index(s)
        pays = [self.o.payoffs(play(x)) for x in order]
        out = []
        for k in range(self.o.n):
            head = sum((delta ** t * pays[t][k] for t in range(m)), Fraction(0))
            cyc = sum((delta ** j * pays[m + j][k] for j in range(len(order) - m)), Fraction(0))
            out.append(head + delta ** m * cyc / (1 - delta ** (len(order) - m)))
        return tuple(out)

    def auto_deviation(self, delta: Fraction) -> str | None:
        """The first profitable one-shot deviation at ``delta``, or None."""
        _, play, step = self.auto_machine()
        for s in self.auto_states():
            a = play(s)
            here = self.auto_value(s, delta)
            for k in range(self.o.n):
                for b in range(len(self.o.actions(k))):
                    if b == a[k]:
                        continue
                    a2 = a[:k] + (b,) + a[k + 1:]
                    dev = self.o.u(k, a2) + delta * self.auto_value(step(s, a2), delta)[k]
                    if dev > here[k]:
                        return (f"in state {','.join(s)}, {self.o.names[k]} gains by playing "
                                f"{self.o.actions(k)[b]} ({q(dev)} > {q(here[k])})")
        return None

    def fact_RepeatedStrategyCheck(self) -> str:
        what = f"{self.prop.strategy}({', '.join(self.prop.args)})"
        if self.prop.mode == "is_spe":
            d = self.prop.delta
            same("delta", self.ev.get("delta"), d)
            mine = {",".join(s): self.auto_value(s, d) for s in self.auto_states()}
            vals = self.ev.get("values")
            if isinstance(vals, dict):
                if set(vals) != set(mine):
                    raise Mismatch(f"the report values joint states {sorted(vals)}, the automata reach {sorted(mine)}")
                for key, vec in vals.items():
                    for name, x, y in zip(self.o.names, vec, mine[key]):
                        same(f"values.{key} for {name}", x, y)
                        self.values_checked += 1
            why = self.auto_deviation(d)
            if (why is None) != (self.verdict == "HOLDS"):
                raise Mismatch(f"re-derived: {what} is {'' if why is None else 'not '}an SPE at {q(d)}"
                               + (f" ({why})" if why else ""))
            return (f"{what} is {'' if why is None else 'not '}subgame perfect at discount {q(d)} "
                    f"(one-shot deviations re-checked in {len(mine)} joint state(s)"
                    + (f": {why})" if why else ")"))
        return self.auto_threshold(what)

    def auto_threshold(self, what: str) -> str:
        samples = [Fraction(1, 10), Fraction(1, 2), Fraction(9, 10), Fraction(99, 100)]
        if self.ev.get("kind") == "no_threshold":
            ok = [x for x in samples if self.auto_deviation(x) is None]
            if ok:
                raise Mismatch(f"{what} is an SPE at discount {q(ok[0])} (re-derived)")
            return (f"{what} is an SPE at none of the sample discounts {', '.join(q(x) for x in samples)}; "
                    "that no discount works is left to the fresh run")
        t = frac(self.ev["threshold"], "threshold")
        assert self.prop.value is not None
        if _OPS[self.prop.op](t, self.prop.value) != (self.verdict == "HOLDS"):
            raise Mismatch(f"{q(t)} {self.prop.op} {q(self.prop.value)} is "
                           f"{str(_OPS[self.prop.op](t, self.prop.value)).lower()}, the verdict is {self.verdict}")
        if not 0 <= t < 1:
            raise Mismatch(f"the threshold {q(t)} is not a discount factor in [0, 1)")
        checks = [((t + 1) / 2, True)]
        if t > 0:
            checks.append((t, bool(self.ev.get("closed_below"))))
            checks.append((t - min(t, 1 - t) / 1000, False))
        for x, want in checks:
            why = self.auto_deviation(x)
            if (why is None) != want:
                raise Mismatch(f"at discount {q(x)} {what} is {'' if why is None else 'not '}an SPE "
                               f"(re-derived){': ' + why if why else ''}, against the threshold {q(t)}")
        return (f"threshold {q(t)} consistent with one-shot deviation checks at discounts "
                f"{', '.join(q(x) for x, _ in checks)}; the exact region is left to the fresh run")

