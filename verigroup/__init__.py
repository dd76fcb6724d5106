"""verigroup: formal verification and game theory for groups of AI agents."""

from __future__ import annotations

__version__ = "0.1.0"

from typing import Any  # noqa: E402

from verigroup.api import check, from_arrays, load, parse, solve  # noqa: E402
from verigroup.model.model import Model, register_service  # noqa: E402


# The Model is low in the pipeline and imports nothing above it; its
# conveniences (``model.game()``, ``model.check()``, ...) are wired here, at
# the top, each importing its stage only when first used.
def _materialize(model: Model) -> Any:
    from verigroup.evaluate import materialize

    return materialize(model)


def _check(model: Model, **options: Any) -> Any:
    from verigroup.api import check_model

    return check_model(model, **options)


def _solve(model: Model, concept: str = "pure_nash", **options: Any) -> Any:
    from verigroup.api import solve_model

    return solve_model(model, concept=concept, **options)


def _to_openspiel(model: Model) -> Any:
    try:
        import pyspiel  # noqa: F401
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "model.to_openspiel() needs OpenSpiel, an optional engine: pip install 'verigroup[engines]' "
            "(or pip install open_spiel)", name="pyspiel") from None
    from verigroup.backends.openspiel import to_openspiel

    return to_openspiel(model)


def _to_z3(model: Model, **options: Any) -> Any:
    from verigroup.backends.z3 import to_z3

    return to_z3(model, **options)


def _to_gambit(model: Model) -> Any:
    from verigroup.backends.gambit import to_gambit

    return to_gambit(model)


def _model_html(model: Model) -> str:
    from verigroup.notebook import model_html

    return model_html(model)


for _name, _fn in (("materialize", _materialize), ("check", _check), ("solve", _solve),
                   ("to_openspiel", _to_openspiel), ("to_z3", _to_z3), ("to_gambit", _to_gambit),
                   ("model_html", _model_html)):
    register_service(_name, _fn)

__all__ = ["__version__", "load", "parse", "check", "solve", "from_arrays", "Model"]
