"""Social choice: voters, alternatives, profiles, aggregation rules and
axioms (issue 11).

* :mod:`.profiles` rankings and (anonymous) profiles as integer arrays;
* :mod:`.rules` library rules, vectorised; :mod:`.reference` the same rules
  one profile at a time in plain Python (used by replay and the tests);
* :mod:`.domain`, :mod:`.checks`, :mod:`.axioms` the exhaustive audit;
* :mod:`.sat`, :mod:`.impossible` impossibility / synthesis through SAT.
"""

from verigroup.elections.axioms import AXIOMS, AXIOMS_SCHEMA, AxiomAudit, AxiomResult, audit
from verigroup.elections.rules import RULES

__all__ = ["audit", "AxiomAudit", "AxiomResult", "AXIOMS", "RULES", "AXIOMS_SCHEMA"]
