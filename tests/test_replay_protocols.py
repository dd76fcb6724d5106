"""`verigroup replay` on protocol (extensive-form) reports: plays under SPE,
coalition enforcement, credible commitments, automaton strategies and SPE
equilibrium records are re-checked on the compiled tree; tampering with a
move, a payoff, a probability, a strategy or a verdict is caught by the
*independent evidence re-check* (not only by the fresh-run comparison).

Expected values are textbook facts about the bundled games (entry
deterrence: (enter, accommodate) pays (2, 2); the centipede's unique SPE
outcome is (1, 0); grim trigger in the PD with T=5, R=3, P=1 is an SPE iff
delta >= (T-R)/(T-P) = 1/2 and is worth R/(1-delta) = 12 at delta = 3/4)."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import pytest

from verigroup.replay import EvidenceChecker, Oracle

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ROOT / "specs" / "protocols"


def check_json(cli: Any, spec: Path, out: Path) -> dict[str, Any]:
    res = cli("check", str(spec), "--format", "json", "-o", str(out))
    assert res.code in (0, 1), res
    return json.loads(out.read_text())  # type: ignore[no-any-return]


_REPORTS: dict[str, tuple[Any, dict[str, Any]]] = {}


def report(name: str) -> tuple[Any, dict[str, Any]]:
    """(model, check document) of a bundled protocol spec, computed once."""
    if name not in _REPORTS:
        from verigroup.api import check_model, load
        from verigroup.reports.jsonout import dumps

        model = load(PROTOCOLS / f"{name}.vg")
        res = check_model(model)
        props = [json.loads(dumps(r.to_json())) for r in res.results]
        _REPORTS[name] = (model, {"properties": props})
    return _REPORTS[name]


def evidence_findings(name: str, prop_name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> list[Any]:
    """The independent evidence re-check of one property (no fresh run)."""
    model, doc = report(name)
    res = json.loads(json.dumps(next(p for p in doc["properties"] if p["name"] == prop_name)))
    if edit is not None:
        edit(res)
    prop = next(p for p in model.properties if p.name == prop_name)
    return EvidenceChecker(Oracle(model), prop, res, name).run()


def statuses(findings: list[Any]) -> set[str]:
    return {f.status for f in findings}


# ------------------------------------------------------------- clean reports


@pytest.mark.parametrize("name", ["entry_deterrence", "centipede", "cheap_talk", "repeated_pd",
                                  "discounted_pd", "ultimatum", "stackelberg", "sealed_bid"])
def test_bundled_protocols_replay_clean(name: str, tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / f"{name}.vg"
    shutil.copy(PROTOCOLS / f"{name}.vg", spec)
    out = tmp_path / "r.json"
    check_json(cli, spec, out)
    res = cli("replay", str(out))
    assert res.code == 0, res.out
    assert "MISMATCH" not in res.out
    assert "has no action" not in res.out


def test_commons_stock_replays_clean(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "commons_stock.vg"
    shutil.copy(PROTOCOLS / "commons_stock.vg", spec)
    out = tmp_path / "r.json"
    check_json(cli, spec, out)
    assert cli("replay", str(out)).code == 0


def test_commons_stock_spoilers_collapse_the_stock_by_the_rules() -> None:
    # Independent of the tree: simulate the spec's rules (stock 4, harvest
    # low 1 / high 2, shared in proportion when over-asked, regrow x2 up to 4,
    # stop at 0) for every history-dependent choice of f1, with f2 following
    # the reported node-wise map; the stock must collapse on every play.
    model, doc = report("commons_stock")
    res = next(p for p in doc["properties"] if p["name"] == "one fleet alone can keep the stock alive")
    assert res["verdict"] == "VIOLATED"
    spoil = res["evidence"]["spoilers"]
    assert set(spoil) == {"f2"}
    harvest = {"low": 1, "high": 2}
    plays = 0
    stack: list[tuple[list[str], int, int]] = [([], 4, 1)]
    while stack:
        hist, stock, rnd = stack.pop()
        if stock <= 0:
            plays += 1
            continue
        assert rnd <= 3, f"f1 keeps the stock alive against the map on {'/'.join(hist)}"
        for m1 in ("low", "high"):
            m2 = spoil["f2"]["/".join(hist + [m1])]
            total = harvest[m1] + harvest[m2]
            stack.append((hist + [m1, m2], min(4, 2 * max(0, stock - total)), rnd + 1))
    assert plays >= 2
    assert statuses(evidence_findings("commons_stock", "one fleet alone can keep the stock alive")) == {"ok"}


def test_spoiler_map_merged_per_information_set_is_rejected() -> None:
    # f2 does not see f1's move of the round; an information-set strategy
    # ("low" at every node of f2, written out node by node) spoils nothing:
    # f1 plays low too and the stock stays at 4
    model, _ = report("commons_stock")
    tree = model.protocol
    f2 = tree.players.index("f2")
    uniform = {"/".join(tree.path_moves(v)): "low" for v in range(tree.num_nodes) if tree.player(v) == f2}

    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["spoilers"] = {"f2": uniform}
        r["evidence"].pop("play", None)

    fs = evidence_findings("commons_stock", "one fleet alone can keep the stock alive", edit)
    assert any(f.status == "mismatch" and "does not spoil" in f.detail for f in fs), fs


def test_spoiler_map_tampering_is_caught() -> None:
    name, prop = "commons_stock", "one fleet alone can keep the stock alive"

    def drop(r: dict[str, Any]) -> None:
        del r["evidence"]["spoilers"]["f2"]["low/low/low"]
        r["evidence"].pop("play", None)

    def member(r: dict[str, Any]) -> None:
        r["evidence"]["spoilers"]["f1"] = {"": "high"}

    def no_node(r: dict[str, Any]) -> None:
        r["evidence"]["spoilers"]["f2"]["low/low/low/low/low/low/low"] = "high"

    def play_off_map(r: dict[str, Any]) -> None:  # the recorded play no longer follows the map
        first_f1 = r["evidence"]["play"][0]["move"]
        table = r["evidence"]["spoilers"]["f2"]
        table[first_f1] = "high" if table[first_f1] == "low" else "low"

    for edit, words in [(drop, "gives no move"), (member, "coalition member"), (no_node, "names no node"),
                        (play_off_map, "the spoilers' map says")]:
        fs = evidence_findings(name, prop, edit)
        bad = [f for f in fs if f.status == "mismatch"]
        assert bad and any(words in f.detail for f in bad), (edit.__name__, fs)


def test_chance_in_the_spoiler_map_is_replayed() -> None:
    # cheap talk: the monitor sees the state; chance picks it adversarially
    fs = evidence_findings("cheap_talk", "the monitor alone can guarantee success")
    assert statuses(fs) == {"ok"}, fs

    def zero(r: dict[str, Any]) -> None:
        r["evidence"]["spoilers"]["chance"][""] = "flood"  # no such outcome

    fs = evidence_findings("cheap_talk", "the monitor alone can guarantee success", zero)
    assert any(f.status == "mismatch" and "chance" in f.detail for f in fs), fs


def test_check_spoiler_map_refuses_zero_probability_outcomes() -> None:
    from verigroup.extensive.tree import TreeBuilder
    from verigroup.replay.result import Mismatch
    from verigroup.replay.treewalk import check_spoiler_map

    b = TreeBuilder(["a"], allow_idle_players=True)
    t = b.build(b.chance([("never", 0, b.terminal([0])), ("sure", 1, b.terminal([1]))]))
    check_spoiler_map(t, {0}, {"chance": {"": "sure"}})
    with pytest.raises(Mismatch, match="probability 0"):
        check_spoiler_map(t, {0}, {"chance": {"": "never"}})


def test_every_protocol_property_kind_is_rechecked_independently() -> None:
    # no "no independent re-check" skip for any protocol property kind
    for name, prop in [("entry_deterrence", "some SPE keeps the entrant out"),
                       ("entry_deterrence", "the threat to fight is not credible"),
                       ("entry_deterrence", "fighting is credible"),
                       ("entry_deterrence", "accommodating is credible"),
                       ("entry_deterrence", "the incumbent can keep the entrant out"),
                       ("entry_deterrence", "the entrant cannot avoid a price war"),
                       ("entry_deterrence", "the entrant can guarantee itself a payoff of at least 0"),
                       ("cheap_talk", "some SPE reveals the state"),
                       ("discounted_pd", "grim trigger is an SPE at delta = 3/4"),
                       ("discounted_pd", "the grim trigger threshold is 1/2"),
                       ("discounted_pd", "tit for tat is an SPE at delta = 3/4")]:
        fs = evidence_findings(name, prop)
        assert statuses(fs) == {"ok"}, (name, prop, fs)


# ---------------------------------------------------------------- tampering


def test_tampered_move_in_a_trace(tmp_path: Path, cli: Any) -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["play"][0]["move"] = "cooperate"  # alice defects in the SPE

    fs = evidence_findings("repeated_pd", "some SPE cooperates at some point", edit)
    assert "mismatch" in statuses(fs)
    assert any("probability 0" in f.detail or "not" in f.detail for f in fs if f.status == "mismatch")
    # and end to end through the CLI
    spec = tmp_path / "repeated_pd.vg"
    shutil.copy(PROTOCOLS / "repeated_pd.vg", spec)
    out = tmp_path / "r.json"
    doc = check_json(cli, spec, out)
    for p in doc["reports"][0]["properties"]:
        if p["name"] == "some SPE cooperates at some point":
            edit(p)
    out.write_text(json.dumps(doc))
    res = cli("replay", str(out))
    assert res.code == 1 and "MISMATCH" in res.out


def test_tampered_move_label_that_does_not_exist() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["play"][1]["move"] = "retreat"

    fs = evidence_findings("entry_deterrence", "some SPE keeps the entrant out", edit)
    assert any(f.status == "mismatch" and "retreat" in f.detail for f in fs)


def test_tampered_payoff_of_a_play() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["payoffs"]["entrant"] = "3"  # textbook: (enter, accommodate) pays 2

    fs = evidence_findings("entry_deterrence", "some SPE keeps the entrant out", edit)
    bad = [f for f in fs if f.status == "mismatch"]
    assert bad and any("payoffs.entrant" in f.detail and "recomputed 2" in f.detail for f in bad)


def test_tampered_probability_of_a_play() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["probability"] = "1"  # chance picks `unsafe` with probability 1/2

    fs = evidence_findings("cheap_talk", "every SPE reveals the state", edit)
    assert any(f.status == "mismatch" and "probability" in f.detail for f in fs)


def test_tampered_failure_index() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["failed_at"] = 0

    fs = evidence_findings("centipede", "some SPE reaches the last leg", edit)
    assert "mismatch" in statuses(fs)


@pytest.mark.parametrize("name,prop", [("entry_deterrence", "the threat to fight is not credible"),
                                       ("entry_deterrence", "the entrant can guarantee itself a payoff of at least 0"),
                                       ("entry_deterrence", "accommodating is credible"),
                                       ("centipede", "passing at the first leg is credible"),
                                       ("discounted_pd", "tit for tat is an SPE at delta = 3/4"),
                                       ("discounted_pd", "grim trigger is an SPE at delta = 3/4")])
def test_flipped_verdict(name: str, prop: str) -> None:
    def edit(r: dict[str, Any]) -> None:
        r["verdict"] = "VIOLATED" if r["verdict"] == "HOLDS" else "HOLDS"

    fs = evidence_findings(name, prop, edit)
    assert "mismatch" in statuses(fs), fs


def test_tampered_spe_witness_strategies() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["witness"]["strategies"]["incumbent"]["incumbent | entrant=enter"] = "fight"

    fs = evidence_findings("entry_deterrence", "there is exactly one SPE", edit)
    assert any(f.status == "mismatch" and "subgame-perfect" in f.detail for f in fs)


def test_tampered_spe_witness_payoff() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["witness"]["payoffs"]["alice"] = "2"  # the centipede's SPE pays (1, 0)

    fs = evidence_findings("centipede", "the SPE is unique", edit)
    assert any(f.status == "mismatch" and "recomputed 1" in f.detail for f in fs)


def test_tampered_enforcement_strategy() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["strategy"]["entrant"]["entrant"] = "enter"  # the incumbent may then fight: -1

    fs = evidence_findings("entry_deterrence", "the entrant can guarantee itself a payoff of at least 0", edit)
    assert any(f.status == "mismatch" and "does not achieve" in f.detail for f in fs)


def test_tampered_spoiler_strategy() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["spoilers"]["entrant"][""] = "stay_out"  # keyed by history: "" is the root
        r["evidence"].pop("play", None)

    fs = evidence_findings("entry_deterrence", "the incumbent can keep the entrant out", edit)
    assert any(f.status == "mismatch" and "does not spoil" in f.detail for f in fs)


def test_tampered_automaton_value() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["values"]["coop,coop"] = ["13", "12"]  # R / (1 - delta) = 3 / (1/4) = 12

    fs = evidence_findings("discounted_pd", "grim trigger is an SPE at delta = 3/4", edit)
    assert any(f.status == "mismatch" and "recomputed 12" in f.detail for f in fs)


def test_tampered_threshold() -> None:
    def edit(r: dict[str, Any]) -> None:
        r["evidence"]["threshold"] = "2/3"

    fs = evidence_findings("discounted_pd", "the grim trigger threshold is 1/2", edit)
    assert "mismatch" in statuses(fs)


# -------------------------------------------------- the independent helpers


def test_value_sets_of_the_centipede_are_textbook() -> None:
    from verigroup.replay.treewalk import spe_value_sets

    model, _ = report("centipede")
    assert spe_value_sets(model.protocol)[0] == frozenset({(Fraction(1), Fraction(0))})


def test_pure_spe_brute_force_counts_cheap_talk() -> None:
    # The game has no proper subgame, so its SPE are its Nash equilibria:
    # counted here independently from the payoff rule of the spec.
    from verigroup.replay.treewalk import pure_profiles, pure_spe

    model, _ = report("cheap_talk")
    tree = model.protocol
    spes = pure_spe(tree, "test")
    # independent Nash count over the 16 pure profiles, by expected payoffs
    def pay(s: dict[str, dict[str, str]]) -> Fraction:
        tot = Fraction(0)
        for state in ("safe", "unsafe"):
            msg = s["monitor"][f"monitor | safety={state}"]
            act = s["operator"][f"operator | monitor={msg}"]
            tot += Fraction(1, 2) * int((state == "safe") == (act == "ship"))
        return tot

    profiles = list(pure_profiles(tree, "test"))
    nash = []
    for s in profiles:
        best = True
        for who in ("monitor", "operator"):
            for alt in pure_profiles(tree, "test"):
                dev = {w: (alt[w] if w == who else s[w]) for w in s}
                if pay(dev) > pay(s):
                    best = False
        if best:
            nash.append(s)
    assert len(profiles) == 16
    assert nash and sorted(map(str, spes)) == sorted(map(str, nash))
