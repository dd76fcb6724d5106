"""``verigroup replay REPORT.json``: re-check a check report from the spec alone.

For every report in a ``verigroup.check/1`` document:

1. the spec is loaded again (``spec.path`` relative to the report's
   directory, else to the current directory, and only inside those trees --
   the report is untrusted; or the spec given with ``--spec``) with the
   report's parameter values, and its hash compared with the recorded one
   (:mod:`.loading`);
2. every counterexample and certificate is re-established *independently of
   the checkers* (:mod:`.evidence`): payoffs and metrics at each profile named
   in the evidence are recomputed with the scalar reference evaluator
   (:mod:`verigroup.evaluate.scalar`, via :mod:`.oracle`) and compared
   exactly, and the claimed fact is re-derived by small brute-force code per
   property family (:mod:`.pure`, :mod:`.equilibria`, :mod:`.coalitions`,
   :mod:`.plays` for protocols on the game tree via :mod:`.treewalk`,
   :mod:`.automata` for repeated-game automata): a deviation is profitable
   by the claimed gain, a play re-walks move by move to its leaf, a
   coalition's members all gain, an equilibrium has zero regret, a term has
   the stated value (:mod:`.terms`), ...;
3. the properties are checked afresh with :func:`verigroup.api.check_model`
   and every verdict, message and evidence field compared with the report
   (:mod:`.fresh`).

Any disagreement is a *mismatch* naming the property and the field
(:mod:`.result`).  Checks too large to brute-force (more than
:data:`BRUTE_LIMIT` profiles) are reported as skipped, never as passed.
"""

from verigroup.replay.coalitions import SEARCH_LIMIT
from verigroup.replay.evidence import EvidenceChecker
from verigroup.replay.fresh import compare_fresh, first_difference
from verigroup.replay.loading import CHECK_SCHEMA, locate_spec, parse_document
from verigroup.replay.oracle import (BRUTE_LIMIT, SUPPORT_LIMIT, Oracle, Point, compare_values, frac, pay_map,
                                     same)
from verigroup.replay.result import REPLAY_SCHEMA, Finding, Mismatch, ReplayResult, Skip
from verigroup.replay.run import replay_file, replay_report
from verigroup.replay.terms import OPS, TermEval

__all__ = ["replay_file", "ReplayResult", "Finding", "Oracle", "EvidenceChecker", "Mismatch", "Skip",
           "parse_document", "replay_report", "locate_spec", "compare_fresh", "first_difference", "TermEval",
           "Point", "OPS", "frac", "same", "compare_values", "pay_map", "BRUTE_LIMIT", "SEARCH_LIMIT",
           "SUPPORT_LIMIT", "REPLAY_SCHEMA", "CHECK_SCHEMA"]
