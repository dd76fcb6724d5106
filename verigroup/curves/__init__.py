"""Curves over a budget (issue 14): exact points of ``value(AGENT)`` and
param expressions as one param varies (``curve "NAME" over c in 0..4: ...``).

* :mod:`verigroup.curves.compute` — the points, each re-solved exactly from
  the spec with the param set;
* :mod:`verigroup.curves.check` — the curve statement as a property (its
  ``require`` condition at every point);
* :mod:`verigroup.curves.render` — a table and a picture (report time).
"""
