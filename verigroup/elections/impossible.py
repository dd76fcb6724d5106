"""Does any rule satisfy these axioms at (n, m)?  The SAT route.

UNSAT comes with a certificate: a DRAT proof logged by CaDiCaL for the
whole formula (written to a file on request and, when the ``dratify``
checker is installed, checked), and an unsatisfiable core over *profiles*
(each profile's axiom clauses switched on by one selector) shrunk by
re-solving, re-checked UNSAT by a second solver, and rendered as a readable
chain of profiles.  SAT comes with a witness rule (its table) re-audited
against every requested axiom by brute force over all misreports
(:mod:`.witness`).  A timeout is UNKNOWN.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from verigroup.diagnostics import Diagnostic, SpecError
from verigroup.elections.encode import SCF_AXIOMS, SWF_AXIOMS, Encoding, encode
from verigroup.elections.electorates import (CROSS_AXIOMS, LEVEL_AXIOMS, LevelEncoding, encode_levels, levels_size,
                                             witness_levels)
from verigroup.elections.profiles import MAX_ALTERNATIVES, default_names, profile_json, ranking_space

IMPOSSIBLE_SCHEMA = "verigroup.impossible/1"
#: Largest number of ordered profiles (m!)^n the SAT route encodes.
SAT_PROFILE_LIMIT = 120_000
SOLVER = "cadical153"
CHECK_SOLVER = "glucose4"
#: Profiles listed in the rendered core (the full list is in the certificate).
CORE_SHOWN = 60


@dataclass(frozen=True)
class ImpossibilityResult:
    kind: str
    voters: int
    names: tuple[str, ...]
    axioms: tuple[str, ...]
    satisfiable: bool | None
    encoding: Mapping[str, Any]
    certificate: Mapping[str, Any] | None = None
    witness: Mapping[str, Any] | None = None
    reason: str | None = None
    #: wall-clock seconds per phase (kept out of the JSON, which is deterministic)
    timings: Mapping[str, float] = field(default_factory=dict, compare=False)

    @property
    def exit_code(self) -> int:
        # decided either way (0: read ``satisfiable``); undecided (3)
        return 3 if self.satisfiable is None else 0

    def to_json(self) -> dict[str, Any]:
        verdict = "UNKNOWN" if self.satisfiable is None else "POSSIBLE" if self.satisfiable else "IMPOSSIBLE"
        out: dict[str, Any] = {"schema": IMPOSSIBLE_SCHEMA, "kind": self.kind, "voters": self.voters,
                               "alternatives": list(self.names), "axioms": list(self.axioms),
                               "satisfiable": self.satisfiable, "verdict": verdict,
                               "encoding": dict(self.encoding)}
        if self.certificate is not None:
            out["certificate"] = dict(self.certificate)
        if self.witness is not None:
            out["witness"] = dict(self.witness)
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def validate(axioms: tuple[str, ...], n: int, m: int, kind: str) -> None:
    from verigroup.elections.axioms import AXIOMS
    from verigroup.elections.errors import unknown_name

    if kind not in ("scf", "swf"):
        raise SpecError([Diagnostic("E401", f"--kind must be scf or swf, not {kind!r}")])
    allowed: tuple[str, ...] = SCF_AXIOMS if kind == "scf" else SWF_AXIOMS
    cross = kind == "scf" and any(a in CROSS_AXIOMS for a in axioms)
    if cross:   # participation / reinforcement: every electorate of 1..n voters (SOCIAL3)
        allowed = LEVEL_AXIOMS
    if not axioms:
        raise SpecError([Diagnostic("E401", "name at least one axiom", hint="for example --axiom pareto --axiom iia")])
    for a in axioms:
        if a not in AXIOMS:
            raise unknown_name("axiom", a, AXIOMS)
        if a not in allowed:
            raise SpecError([Diagnostic("E606", f"axiom `{a}` has no SAT encoding for {kind.upper()}s",
                                        hint=(f"encodable with participation / reinforcement (electorates of "
                                              f"1..n voters): {', '.join(allowed)}" if cross else
                                              f"encodable for {kind}: {', '.join(allowed)}")
                                        + ("; participation and reinforcement are encoded for SCFs"
                                           if a in CROSS_AXIOMS else ""))])
    if n < 1 or m < 2:
        raise SpecError([Diagnostic("E604", f"need at least 1 voter and 2 alternatives (got {n}, {m})")])
    size = (np.prod(np.arange(1, m + 1), dtype=object) ** n) if m <= MAX_ALTERNATIVES else None
    if cross and size is not None:
        size = levels_size(n, int(np.prod(np.arange(1, m + 1))))
        if size > SAT_PROFILE_LIMIT:
            raise SpecError([Diagnostic("E604", f"electorates of 1..{n} voters and {m} alternatives give {size} "
                                                f"ordered profiles, above the SAT route's limit of "
                                                f"{SAT_PROFILE_LIMIT}",
                                        hint="participation and reinforcement relate every electorate size up "
                                             "to n; try fewer voters or alternatives")])
    if size is None or int(size) > SAT_PROFILE_LIMIT:
        shown = f"{m}!^{n}" if size is None else f"{int(size)}"
        raise SpecError([Diagnostic("E604", f"{n} voters and {m} alternatives give {shown} profiles, above the SAT "
                                            f"route's limit of {SAT_PROFILE_LIMIT}",
                                    hint="impossibility results are usually proved at the smallest size and "
                                         "lifted by induction; try fewer voters or alternatives")])


def impossible(axioms: tuple[str, ...], n: int, m: int, kind: str = "scf", timeout: float | None = None,
               proof_path: str | None = None, core: bool = True, core_seconds: float = 5.0) -> ImpossibilityResult:
    """Decide whether a rule satisfies ``axioms`` at ``n`` voters and ``m``
    alternatives.  ``timeout`` (seconds) bounds the whole computation, run in
    a child process that is stopped when time is up (CaDiCaL cannot be
    interrupted in-process): UNKNOWN."""
    axioms = tuple(dict.fromkeys(axioms))
    validate(axioms, n, m, kind)
    names = default_names(m)
    if timeout is None:
        return _impossible(axioms, n, m, kind, proof_path, core, core_seconds)
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, axioms, n, m, kind, proof_path, core, core_seconds), daemon=True)
    start = time.perf_counter()
    proc.start()
    send.close()
    try:
        if recv.poll(timeout):
            result = recv.recv()
            if isinstance(result, ImpossibilityResult):
                return result
            raise RuntimeError(str(result))
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    return ImpossibilityResult(kind, n, names, axioms, None, {"solver": SOLVER},
                               reason=f"no answer within the time limit of {timeout} s",
                               timings={"seconds": time.perf_counter() - start})


def _child(send: Any, *args: Any) -> None:
    try:
        send.send(_impossible(*args))
    except BaseException as exc:  # reported to the parent, which raises it
        send.send(f"{type(exc).__name__}: {exc}")
    finally:
        send.close()


def _impossible(axioms: tuple[str, ...], n: int, m: int, kind: str, proof_path: str | None, core: bool,
                core_seconds: float) -> ImpossibilityResult:
    from pysat.solvers import Solver

    space = ranking_space(m, default_names(m))
    t0 = time.perf_counter()
    levels = kind == "scf" and any(a in CROSS_AXIOMS for a in axioms)
    enc: Encoding | LevelEncoding = encode_levels(axioms, n, space) if levels else encode(kind, axioms, n, space)
    hard, soft, sel0 = _split(enc)
    build = time.perf_counter() - t0
    P = enc.n_profiles if isinstance(enc, LevelEncoding) else int(enc.seqs.shape[0])
    info: dict[str, Any] = {"solver": SOLVER, "variables": enc.n_vars, "clauses": len(hard) + len(soft),
                            "profiles": P, "variable_blocks": enc.n_blocks,
                            "strategyproofness": "adjacent-swap misreports (implied by strategyproofness)"
                            if "strategyproofness" in axioms else None}
    if levels:
        info["electorates"] = f"every electorate of 1..{n} voters (participation / reinforcement relate sizes)"
    times: dict[str, float] = {"build_seconds": build}
    t1 = time.perf_counter()
    with Solver(name=SOLVER, bootstrap_with=hard + soft) as s:
        everything = [sel0 + p for p in range(P)]
        status = bool(s.solve(assumptions=everything))
        times["solve_seconds"] = time.perf_counter() - t1
        if status:
            from verigroup.elections.witness import witness_of

            model = [v for v in (s.get_model() or []) if abs(v) < sel0]
            wit = witness_levels(enc, model, axioms) if isinstance(enc, LevelEncoding) else \
                witness_of(enc, model, axioms)
            failed = [a for a, v in wit["audit"].items() if v != "HOLDS"]
            if failed:   # only possible through the adjacent-misreport encoding: say so, never claim POSSIBLE
                return ImpossibilityResult(kind, n, space.names, axioms, None, info, witness=wit,
                                           reason="the solver's rule fails the brute-force audit of "
                                                  + ", ".join(failed), timings=times)
            return ImpossibilityResult(kind, n, space.names, axioms, True, info, witness=wit, timings=times)
        cert: dict[str, Any] = {}
        if core:
            t2 = time.perf_counter()
            cert["core"] = _core(s, enc, hard, soft, sel0, core_seconds)
            times["core_seconds"] = time.perf_counter() - t2
    if proof_path:
        t3 = time.perf_counter()
        plain = enc.clause_lists()
        with Solver(name=SOLVER, bootstrap_with=plain, with_proof=True) as s:
            if s.solve():
                raise AssertionError("the formula without selectors is satisfiable")
            proof = s.get_proof() or []
        cert["drat"] = _drat(proof, plain, enc.n_vars, proof_path)
        times["proof_seconds"] = time.perf_counter() - t3
    return ImpossibilityResult(kind, n, space.names, axioms, False, info, certificate=cert, timings=times)


def _split(enc: Encoding | LevelEncoding) -> tuple[list[list[int]], list[list[int]], int]:
    """Clauses about no profile (hard) and clauses about a profile, each
    extended with the negation of that profile's selector (soft)."""
    sel0 = enc.n_vars + 1
    hard: list[list[int]] = []
    soft: list[list[int]] = []
    for c, g in enc.blocks:
        if (g < 0).all():
            hard.extend(c.tolist())
        else:
            soft.extend(np.concatenate([c, -(sel0 + g)[:, None]], axis=1).tolist())
    return hard, soft, sel0


def _drat(proof: list[str], clauses: list[list[int]], n_vars: int, path: str | None) -> dict[str, Any]:
    text = "\n".join(proof) + ("\n" if proof else "")
    out: dict[str, Any] = {"format": "DRAT (text)", "lemmas": len(proof),
                           "sha256": hashlib.sha256(text.encode()).hexdigest(), "file": None, "cnf_file": None,
                           "checked": None}
    if path:
        p = Path(path)
        p.write_text(text, encoding="utf-8")
        cnf = p.with_suffix(".cnf")
        with cnf.open("w", encoding="utf-8") as fh:
            fh.write(f"p cnf {n_vars} {len(clauses)}\n")
            for c in clauses:
                fh.write(" ".join(map(str, c)) + " 0\n")
        out["file"], out["cnf_file"] = str(p), str(cnf)
        out["checked"] = _check_drat(cnf, p)
    return out


def _check_drat(cnf: Path, proof: Path) -> str | None:
    """Check with the ``dratify`` package when installed (None otherwise)."""
    try:
        from dratify import check_proof, parse_dimacs  # type: ignore[import-not-found]
    except ImportError:
        return None
    res = check_proof(parse_dimacs(cnf.read_text()), proof.read_text())
    return "verified by dratify" if getattr(res, "ok", False) else "REJECTED by dratify"


def _core(s: Any, enc: Encoding | LevelEncoding, hard: list[list[int]], soft: list[list[int]], sel0: int,
          budget: float) -> dict[str, Any]:
    """Unsat core over profiles, from the solver's failed selectors, shrunk
    by deletion (halves first, then smaller chunks) until ``budget`` seconds
    are spent; ``minimal`` says whether removing any single profile left was
    tried and found to make the rest satisfiable."""
    core = sorted(set(s.get_core() or []))
    deadline = time.perf_counter() + budget
    minimal = False
    chunk = max(1, len(core) // 2)
    while time.perf_counter() < deadline:
        i, changed = 0, False
        while i < len(core) and time.perf_counter() < deadline:
            trial = core[:i] + core[i + chunk:]
            if not s.solve(assumptions=trial):
                found = set(s.get_core() or [])
                core = [a for a in trial if a in found] if found else trial
                changed = True
            else:
                i += chunk
        if chunk == 1 and not changed and i >= len(core):
            minimal = True
            break
        chunk = max(1, chunk // 2)
    profiles = sorted(a - sel0 for a in core)
    recheck = _recheck(hard, soft, sel0, profiles)
    shown = [profile_json(enc.profile(p)[1] if isinstance(enc, LevelEncoding) else [int(v) for v in enc.seqs[p]],
                          enc.space, anonymous=False) for p in profiles[:CORE_SHOWN]]
    return {"profiles": len(profiles), "minimal": minimal, "shown": shown, "indices": profiles,
            "index_order": ("profiles of 1 voter, then 2, ...; " if isinstance(enc, LevelEncoding) else "")
            + "ordered profiles numbered lexicographically; rankings numbered "
                           "lexicographically (0 = " + ">".join(enc.space.ranking_names(0)) + ")",
            "rechecked_unsat_by": CHECK_SOLVER if recheck else None,
            "explanation": "the axioms' clauses about these profiles alone (with one outcome per profile and "
                           "the clauses about no single profile) already have no solution"}


def _recheck(hard: list[list[int]], soft: list[list[int]], sel0: int, profiles: list[int]) -> bool:
    from pysat.solvers import Solver

    keep = {-(sel0 + p) for p in profiles}
    sub = hard + [cl[:-1] for cl in soft if cl[-1] in keep]
    with Solver(name=CHECK_SOLVER, bootstrap_with=sub) as s:
        return not s.solve()
