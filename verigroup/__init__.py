"""verigroup: formal verification and game theory for groups of AI agents."""

from __future__ import annotations

__version__ = "0.1.0"

from verigroup.api import check, load, parse, solve  # noqa: E402

__all__ = ["__version__", "load", "parse", "check", "solve"]
