"""Two-player constant-sum trees: the sequence-form linear program
(Koller, Megiddo and von Stengel 1996), solved in floats and certified exactly.

The sequence form is built exactly from the :class:`GameTree`: each player's
sequences (the empty one, then one per (information set, action)), the
constraint matrices ``E x = e`` / ``F y = f`` of a realization plan, and the
payoff matrix ``A[s1][s2]`` = sum over leaves reached by (s1, s2) of chance
probability x first player's payoff (all Fractions).  Each player's LP

    max_{x,q} f.q   s.t.  F^T q - A^T x <= 0,  E x = e,  x >= 0     (first)
    min_{y,p} e.p   s.t.  E^T p - A y >= 0,    F y = f,  y >= 0     (second)

is solved by scipy's HiGHS (dual simplex, a vertex).  Floats never decide:
the realization plans are made exact, first by fixing the float solution's
support and tight rows and solving that equality system exactly (Fractions),
then, if that fails, by rationalising the floats at a few denominators.  Each
candidate is turned into a behaviour strategy and VERIFIED: the exact
best-response value of the opponent against it gives the guarantee of that
strategy.  When the first player's best guarantee equals the second's, that
number is the value and the two strategies are optimal; otherwise
:func:`solve_seqform` reports that it could not certify (``certified=False``)
and the caller falls back to another exact route.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from fractions import Fraction

from verigroup.diagnostics import SpecError
from verigroup.extensive.profile import StrategyProfile, best_response_value
from verigroup.extensive.tree import CHANCE_NODE, DECISION, GameTree, gc_paused
from verigroup.runtime.deadline import check_deadline

ZERO = Fraction(0)
ONE = Fraction(1)
EXACT_SOLVE_LIMIT = 3000  # unknowns of the exact support system (Fraction elimination)
RATIONALISE_DENOMINATORS = (10 ** 3, 10 ** 6, 10 ** 9)


@dataclass(frozen=True)
class SequenceForm:
    """The exact sequence form of a two-player tree."""

    # seq_infoset[p][s], seq_action[p][s]: the last move of sequence s of
    # player p (-1, -1 for the empty sequence 0).
    seq_infoset: tuple[tuple[int, ...], tuple[int, ...]]
    seq_action: tuple[tuple[int, ...], tuple[int, ...]]
    # parent[i]: the player's own sequence leading to infoset i.
    parent: tuple[int, ...]
    # first[i]: the index of sequence (i, action 0); its actions follow.
    first: tuple[int, ...]
    # rows of the constraint matrix: row 0 is the empty sequence, row r >= 1
    # is infoset row_infoset[p][r - 1].
    row_infoset: tuple[tuple[int, ...], tuple[int, ...]]
    payoff: dict[tuple[int, int], Fraction]  # A[s1, s2] for the first player

    def num_sequences(self, p: int) -> int:
        return len(self.seq_infoset[p])

    def num_rows(self, p: int) -> int:
        return len(self.row_infoset[p]) + 1

    def constraint_rows(self, p: int) -> list[dict[int, int]]:
        """E (p = 0) or F (p = 1) as sparse rows over the player's sequences."""
        rows: list[dict[int, int]] = [{0: 1}]
        for i in self.row_infoset[p]:
            k = self._num_actions(i, p)
            row = {self.first[i] + a: 1 for a in range(k)}
            row[self.parent[i]] = row.get(self.parent[i], 0) - 1
            rows.append(row)
        return rows

    def _num_actions(self, i: int, p: int) -> int:
        s = self.first[i]
        n = 0
        infs = self.seq_infoset[p]
        while s + n < len(infs) and infs[s + n] == i:
            n += 1
        return n


def sequence_form(tree: GameTree) -> SequenceForm:
    """The exact sequence form (two players, perfect recall)."""
    _check(tree)
    n = tree.num_nodes
    seq_inf: list[list[int]] = [[-1], [-1]]
    seq_act: list[list[int]] = [[-1], [-1]]
    first = [-1] * tree.num_infosets
    parent = [-1] * tree.num_infosets
    rows: list[list[int]] = [[], []]
    for i in range(tree.num_infosets):
        p = int(tree.infoset_player[i])
        first[i] = len(seq_inf[p])
        rows[p].append(i)
        for a in range(len(tree.infoset_actions[i])):
            seq_inf[p].append(i)
            seq_act[p].append(a)
    cur = (array("i", bytes(4 * n)), array("i", bytes(4 * n)))  # each player's sequence at v
    reach: list[Fraction] = [ONE] * n
    pay: dict[tuple[int, int], Fraction] = {}
    with gc_paused():
        for v in range(n):
            k = tree.kind[v]
            s0, s1, r = cur[0][v], cur[1][v], reach[v]
            if k == DECISION:
                i = tree.payload[v]
                p = int(tree.infoset_player[i])
                own = cur[p][v]
                if parent[i] < 0:
                    parent[i] = own
                elif parent[i] != own:  # pragma: no cover - excluded by the recall check
                    raise SpecError.single("E111", "sequence form needs perfect recall")
                for a, c in enumerate(tree.children(v)):
                    cur[0][c], cur[1][c], reach[c] = s0, s1, r
                    cur[p][c] = first[i] + a
            elif k == CHANCE_NODE:
                for pr, c in zip(tree.probs(v), tree.children(v)):
                    cur[0][c], cur[1][c], reach[c] = s0, s1, r * pr
            else:
                u = tree.payoff(v)[0]
                if u != 0 and r != 0:
                    key = (s0, s1)
                    pay[key] = pay.get(key, ZERO) + r * u
    for i in range(tree.num_infosets):
        if parent[i] < 0:  # an infoset with no node cannot exist; keep the type honest
            parent[i] = 0
    return SequenceForm((tuple(seq_inf[0]), tuple(seq_inf[1])), (tuple(seq_act[0]), tuple(seq_act[1])),
                        tuple(parent), tuple(first), (tuple(rows[0]), tuple(rows[1])), pay)


def _check(tree: GameTree) -> None:
    if tree.num_players != 2:
        raise SpecError.single("E111", f"the sequence-form LP needs two agents, this game has {tree.num_players}")
    why = tree.perfect_recall_violation()
    if why is not None:
        raise SpecError.single("E111", f"the sequence form needs perfect recall: {why}",
                               hint="give every agent memory of its own earlier moves")


@dataclass(frozen=True)
class SeqFormSolution:
    """The outcome of :func:`solve_seqform` (values for the first player)."""

    certified: bool
    value: Fraction | None  # the exact value when certified
    lower: Fraction | None  # best exactly verified guarantee of the first player
    upper: Fraction | None  # best exactly verified guarantee of the second (as a bound on the first's payoff)
    strategies: StrategyProfile | None  # optimal behaviour strategies when certified
    method: str
    sizes: tuple[int, int]  # number of sequences of each player


# ----------------------------------------------------------------- the LP
def _lp(sf: SequenceForm, p: int, time_limit: float | None):  # type: ignore[no-untyped-def]
    """Player p's LP; returns (scipy result, (A_ub, b_ub, A_eq, b_eq), n_own)."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    o = 1 - p
    n_own, n_opp = sf.num_sequences(p), sf.num_sequences(o)
    m_opp = sf.num_rows(o)
    # variables: own realization plan (n_own), then opponent's duals (m_opp)
    # inequality row per opponent sequence t:
    #   p = 0:  sum_r F[r][t] q_r - sum_s A[s][t] x_s <= 0
    #   p = 1:  -sum_r E[r][t] p_r + sum_s A[t][s] y_s <= 0   (E^T p - A y >= 0)
    sign = 1 if p == 0 else -1
    ri: list[int] = []
    ci: list[int] = []
    val: list[float] = []
    for (s1, s2), a in sf.payoff.items():
        own, opp = (s1, s2) if p == 0 else (s2, s1)
        ri.append(opp)
        ci.append(own)
        val.append(-sign * float(a))
    for r, row in enumerate(sf.constraint_rows(o)):
        for t, c in row.items():
            ri.append(t)
            ci.append(n_own + r)
            val.append(sign * float(c))
    a_ub = coo_matrix((val, (ri, ci)), shape=(n_opp, n_own + m_opp)).tocsr()
    b_ub = np.zeros(n_opp)
    eri: list[int] = []
    eci: list[int] = []
    ev: list[float] = []
    for r, row in enumerate(sf.constraint_rows(p)):
        for s, c in row.items():
            eri.append(r)
            eci.append(s)
            ev.append(float(c))
    a_eq = coo_matrix((ev, (eri, eci)), shape=(sf.num_rows(p), n_own + m_opp)).tocsr()
    b_eq = np.zeros(sf.num_rows(p))
    b_eq[0] = 1.0
    cost = np.zeros(n_own + m_opp)
    cost[n_own] = -1.0 if p == 0 else 1.0  # max q_0 / min p_0
    bounds = [(0, None)] * n_own + [(None, None)] * m_opp
    from verigroup.runtime.deadline import highs_options

    options: dict[str, object] = {"presolve": True, **highs_options()}  # the run's budget, if any
    if time_limit is not None:
        options["time_limit"] = min(time_limit, float(options.get("time_limit", time_limit)))  # type: ignore[arg-type]
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs-ds",
                  options=options)
    check_deadline()  # HiGHS stopped on the budget: the check is UNKNOWN, not a fallback
    return res, n_own


def _exact_rows(sf: SequenceForm, p: int) -> tuple[list[dict[int, Fraction]], int]:
    """Player p's inequality rows (as in :func:`_lp`) exactly: row t over the
    variables (own plan, then opponent duals)."""
    o = 1 - p
    n_own = sf.num_sequences(p)
    sign = 1 if p == 0 else -1
    rows: list[dict[int, Fraction]] = [{} for _ in range(sf.num_sequences(o))]
    for (s1, s2), a in sf.payoff.items():
        own, opp = (s1, s2) if p == 0 else (s2, s1)
        rows[opp][own] = rows[opp].get(own, ZERO) - sign * a
    for r, row in enumerate(sf.constraint_rows(o)):
        for t, c in row.items():
            rows[t][n_own + r] = rows[t].get(n_own + r, ZERO) + sign * c
    return rows, n_own


def _solve_exact(rows: list[dict[int, Fraction]], rhs: list[Fraction], free_hint: dict[int, Fraction]
                 ) -> dict[int, Fraction] | None:
    """A solution of the sparse system ``rows . z = rhs`` by exact Gauss-Jordan
    elimination; free unknowns take ``free_hint`` (else 0).  None: inconsistent."""
    rows = [dict(r) for r in rows]
    rhs = list(rhs)
    pivots: list[tuple[int, int]] = []  # (row, column)
    used = [False] * len(rows)
    cols = sorted({c for r in rows for c in r})
    for col in cols:
        piv = -1
        best = -1
        for k, r in enumerate(rows):
            if not used[k] and r.get(col, ZERO) != 0:
                # prefer short rows: less fill-in
                score = -len(r)
                if piv < 0 or score > best:
                    piv, best = k, score
        if piv < 0:
            continue
        used[piv] = True
        pr = rows[piv]
        inv = ONE / pr[col]
        for c in list(pr):
            pr[c] *= inv
        rhs[piv] *= inv
        for k, r in enumerate(rows):
            if k != piv:
                f = r.get(col)
                if f:
                    for c, x in pr.items():
                        y = r.get(c, ZERO) - f * x
                        if y:
                            r[c] = y
                        else:
                            r.pop(c, None)
                    rhs[k] -= f * rhs[piv]
        pivots.append((piv, col))
    for k, r in enumerate(rows):
        if not used[k] and not r and rhs[k] != 0:
            return None
    pivot_cols = {c for _, c in pivots}
    sol: dict[int, Fraction] = {c: free_hint.get(c, ZERO) for c in cols if c not in pivot_cols}
    for k, col in pivots:
        acc = rhs[k]
        for c, x in rows[k].items():
            if c != col:
                acc -= x * sol[c]
        sol[col] = acc
    return sol


def _support_solution(sf: SequenceForm, p: int, z: list[float], slack: list[float], tol: float
                      ) -> list[Fraction] | None:
    """The exact plan on the float solution's support with its tight rows as
    equalities, or None."""
    n_own = sf.num_sequences(p)
    m_opp = sf.num_rows(1 - p)
    if n_own + m_opp > EXACT_SOLVE_LIMIT:
        return None
    support = {s for s in range(n_own) if z[s] > tol}
    ineq, _ = _exact_rows(sf, p)
    system: list[dict[int, Fraction]] = []
    rhs: list[Fraction] = []
    for r, crow in enumerate(sf.constraint_rows(p)):
        system.append({s: Fraction(k) for s, k in crow.items() if s in support})
        rhs.append(ONE if r == 0 else ZERO)
    for t, irow in enumerate(ineq):
        if abs(slack[t]) <= tol:
            system.append({c: x for c, x in irow.items() if c >= n_own or c in support})
            rhs.append(ZERO)
    hint = {c: Fraction(z[c]).limit_denominator(1000) for c in range(n_own + m_opp)}
    sol = _solve_exact(system, rhs, hint)
    if sol is None:
        return None
    plan = [sol.get(s, ZERO) if s in support else ZERO for s in range(n_own)]
    if any(x < 0 for x in plan):
        return None
    return plan


def _behaviour(tree: GameTree, sf: SequenceForm, p: int, plan: list[Fraction]) -> dict[int, tuple[Fraction, ...]]:
    """Behaviour probabilities at p's infosets from a realization plan (the
    first action where the plan never reaches the infoset)."""
    out: dict[int, tuple[Fraction, ...]] = {}
    for i in sf.row_infoset[p]:
        k = len(tree.infoset_actions[i])
        xs = [max(plan[sf.first[i] + a], ZERO) for a in range(k)]
        tot = sum(xs, ZERO)
        if tot == 0:
            out[i] = tuple(ONE if a == 0 else ZERO for a in range(k))
        else:
            out[i] = tuple(x / tot for x in xs)
    return out


def _profile(tree: GameTree, beh: dict[int, tuple[Fraction, ...]]) -> StrategyProfile:
    rows = []
    for i in range(tree.num_infosets):
        r = beh.get(i)
        if r is None:
            k = len(tree.infoset_actions[i])
            r = tuple(ONE if a == 0 else ZERO for a in range(k))
        rows.append(r)
    return StrategyProfile(behaviour=tuple(rows))


def _guarantee(tree: GameTree, total: Fraction, p: int, beh: dict[int, tuple[Fraction, ...]]) -> Fraction:
    """The exact payoff the first player is guaranteed (p = 0) or held to
    (p = 1) by p's behaviour: the opponent's exact best response."""
    prof = _profile(tree, beh)
    o = 1 - p
    br = best_response_value(tree, prof, o)
    return total - br if p == 0 else br


def solve_seqform(tree: GameTree, total: Fraction, *, time_limit: float | None = None) -> SeqFormSolution:
    """Certified value and optimal behaviour strategies of a two-player game
    whose payoffs add up to ``total`` at every leaf (see the module docstring)."""
    sf = sequence_form(tree)
    sizes = (sf.num_sequences(0), sf.num_sequences(1))
    cands: list[list[tuple[str, list[Fraction]]]] = [[], []]
    for p in (0, 1):
        res, n_own = _lp(sf, p, time_limit)
        if res.status != 0 or res.x is None:
            continue
        z = [float(v) for v in res.x]
        slack = [float(v) for v in res.slack] if res.slack is not None else []
        for tol in (1e-9, 1e-7):
            plan = _support_solution(sf, p, z, slack, tol) if slack else None
            if plan is not None:
                cands[p].append((f"support system, tolerance {tol:g}", plan))
                break
        for d in RATIONALISE_DENOMINATORS:
            cands[p].append((f"rationalised 1/{d}", [Fraction(v).limit_denominator(d) for v in z[:n_own]]))
    best: list[tuple[Fraction, dict[int, tuple[Fraction, ...]]] | None] = [None, None]
    how: list[str] = ["", ""]
    for k in range(max(len(cands[0]), len(cands[1]))):
        for p in (0, 1):
            if k >= len(cands[p]):
                continue
            name, plan = cands[p][k]
            check_deadline()
            beh = _behaviour(tree, sf, p, plan)
            g = _guarantee(tree, total, p, beh)
            cur = best[p]
            if cur is None or (g > cur[0] if p == 0 else g < cur[0]):
                best[p] = (g, beh)
                how[p] = name
        b0, b1 = best
        if b0 is not None and b1 is not None and b0[0] == b1[0]:
            break
    b0, b1 = best
    lower = b0[0] if b0 is not None else None
    upper = b1[0] if b1 is not None else None
    if b0 is not None and b1 is not None and b0[0] == b1[0]:
        beh = dict(b0[1])
        beh.update(b1[1])
        return SeqFormSolution(True, b0[0], lower, upper, _profile(tree, beh),
                               f"sequence-form LP (HiGHS) -> exact plans ({how[0]}; {how[1]}) "
                               f"+ exact best-response certificate", sizes)
    return SeqFormSolution(False, None, lower, upper, None,
                           "sequence-form LP (HiGHS): exact certification failed", sizes)
