"""The risk analyst's pages in a real browser: writing a rule (a syntax error shown at its line
and column, every problem on saving at once), replaying it over the seeded declarations, lane
targets against the rates reached, and promoting, rolling back and watching a model drift.

The portal is shared with every other browser test, so the rule written here comes into force
only next year (replay applies it all the same) and the lane targets are put back afterwards.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from clearway.adapters.history_files import (
    LabelledHistory,
    read_history,
    read_mapping,
    shipped_mapping,
)
from clearway.adapters.model_store import list_models, save_model
from clearway.adapters.risk_model import ModelSettings
from clearway.adapters.selectivity_store import SqlAlchemySelectivityStore
from clearway.services.risk_training import train_from_history
from clearway.services.selectivity_admin import LaneRates, PutLaneTargets, put_lane_targets
from clearway.services.selectivity_replay import ReplayRules, replay_rules
from tests.conftest import ROOT

KCS = ROOT.parent / "shared" / "data" / "kcs-customs-declarations" / "df_syn_train_eng.csv"
BROKEN = 'type == "IM"\nand total_value > -> blue'
FIXED = 'type == "IM"\nand total_value > 1000 -> blue'
# A small booster, trained in well under a second: the page, not the model, is under test.
FAST = ModelSettings(threads=1, max_rounds=30)
LANE_ROWS = {"green": 0, "blue": 1, "yellow": 2, "red": 3}


def field_error(page: Any, name: str) -> str:
    text: str = page.locator(f"#f-{name}-error").inner_text()
    return text


def test_the_analyst_writes_a_rule_and_replays_it(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    rule_id = f"T{uuid.uuid4().hex[:6].upper()}"
    next_year = (portal.runtime.context.now().date() + dt.timedelta(days=365)).isoformat()
    sign_in(page, "risk_analyst")
    assert page.get_by_role("heading", name="Selectivity rules", exact=True).is_visible()
    # The demo's criteria are listed with their lane and the lists they use.
    assert page.get_by_role("cell", name="list:footwear_watch").first.is_visible()
    shoot(page, "analyst-rules")
    accessible(page, "analyst-rules")

    page.get_by_role("link", name="Write a new rule").click()
    page.get_by_label("Rule id (optional)").fill(rule_id)
    page.get_by_label("Rule", exact=True).fill(BROKEN)
    check = page.locator("#rule-check")
    check.get_by_text("The rule does not read.").wait_for()
    # The second line's 19th character, the arrow, is where a number was expected.
    assert "Line 2, column 19:" in check.inner_text()
    caret = check.locator("pre.caret").inner_text()
    assert caret.splitlines() == ["and total_value > -> blue", " " * 18 + "^"]

    page.get_by_role("button", name="Save rule").click()
    summary = page.get_by_role("alert")
    problems = summary.get_by_role("listitem").all_inner_texts()
    assert len(problems) == 2, problems
    assert problems[0].startswith("Line 2, column 19:")
    assert problems[1] == "Enter why the rule exists"
    assert field_error(page, "expression").startswith("Line 2, column 19:")
    assert field_error(page, "reason") == "Enter why the rule exists"
    assert page.get_by_label("Rule", exact=True).get_attribute("aria-invalid") == "true"
    shoot(page, "analyst-rule-new")
    accessible(page, "analyst-rule-new")

    page.get_by_label("Rule", exact=True).fill(FIXED)
    check.get_by_text("The rule reads.").wait_for()
    assert "blue lane (released, audit after release)" in check.inner_text()
    page.get_by_label("Reason").fill("Imports above 1,000: audit after release (test)")
    page.get_by_label("First day in force").fill(next_year)
    page.get_by_role("button", name="Save rule").click()
    page.wait_for_url(f"**/analyst/rules/{rule_id}")
    assert page.get_by_role("status").inner_text() == f"Rule {rule_id} saved as version 1."
    assert page.get_by_role("heading", name=f"Rule {rule_id}").is_visible()
    shoot(page, "analyst-rule")
    accessible(page, "analyst-rule")

    page.get_by_role("link", name="Selectivity rules").click()
    row = page.get_by_role("row").filter(has_text=rule_id)
    assert "Not yet in force" in row.inner_text()
    assert f"{next_year} to no end" in row.inner_text()

    row.get_by_role("link", name=rule_id).click()
    page.get_by_role("link", name="Replay this rule").click()
    assert page.get_by_label("Stored rule").input_value() == rule_id
    page.get_by_role("button", name="Replay").click()
    page.get_by_role("heading", name=f"Rule {rule_id}, version 1").wait_for()

    today = portal.runtime.context.now().date()
    command = ReplayRules(today - dt.timedelta(days=90), today, rule_ids=[rule_id])
    (expected,) = replay_rules(command, SqlAlchemySelectivityStore(portal.runtime.engine)).rules
    assert expected.hits > 0
    result = page.locator("article.replay-result")
    assert f"{expected.hits} of {expected.examined}" in result.inner_text()
    cells = result.locator("table.hits-by-lane tbody tr td.number").all_inner_texts()
    assert [int(cell) for cell in cells] == [
        expected.hits_by_lane.get(lane, 0) for lane in LANE_ROWS
    ]
    held = expected.hits_by_lane["yellow"] + expected.hits_by_lane["red"]
    assert f"held {held}" in result.locator("tfoot").inner_text()
    mrns = result.locator("table").nth(1).locator("tbody tr td:first-child").all_inner_texts()
    assert len(mrns) == min(expected.hits, 20)
    assert all(re.fullmatch(r"\d{2}[A-Z]{2}[A-Z0-9]{14}", mrn) for mrn in mrns), mrns
    shoot(page, "analyst-replay")
    accessible(page, "analyst-replay")
    assert page.script_errors == []


def _targets(page: Any) -> dict[str, str]:
    names = [
        f"{lane}_{rate}"
        for lane in ("red", "yellow", "blue")
        for rate in ("expected_rate", "random_rate", "aeo_expected_rate", "aeo_random_rate")
    ]
    return {name: page.locator(f"#f-{name}").input_value() for name in names}


def test_the_analyst_changes_a_lane_target(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    store = SqlAlchemySelectivityStore(portal.runtime.engine)
    with store:
        before = store.targets()
    sign_in(page, "risk_analyst")
    page.get_by_role("link", name="Lane targets").click()
    ordinary = page.get_by_role("table", name=re.compile("^Other traders"))
    counted = re.search(r"(\d+) decisions?", ordinary.inner_text())
    assert counted is not None and int(counted.group(1)) > 0
    red = ordinary.get_by_role("row").filter(has_text="held for a physical inspection")
    assert red.get_by_role("cell").nth(0).inner_text() == "2%"
    try:
        page.get_by_label("Expected rate (%)").first.fill("abc")
        yellow = page.get_by_role("group", name=re.compile("^Yellow lane"))
        yellow.get_by_label("Random rate (%)", exact=True).fill("50")
        page.get_by_role("button", name="Save lane targets").click()
        problems = page.get_by_role("alert").get_by_role("listitem").all_inner_texts()
        assert problems == [
            "Red lane: the expected rate must be a number",
        ], problems
        assert (
            field_error(page, "red_expected_rate") == "Red lane: the expected rate must be a number"
        )
        shoot(page, "analyst-lanes-error")
        accessible(page, "analyst-lanes-error")

        page.get_by_label("Expected rate (%)").first.fill("3")
        page.get_by_role("button", name="Save lane targets").click()
        assert field_error(page, "yellow_random_rate") == (
            "Yellow lane: the random rate (50%) must not exceed the expected rate (6%)"
        )
        yellow.get_by_label("Random rate (%)", exact=True).fill("1.5")
        page.get_by_role("button", name="Save lane targets").click()
        assert page.get_by_role("status").inner_text().startswith("Lane targets saved")
        assert page.get_by_label("Expected rate (%)").first.input_value() == "3"
        assert yellow.get_by_label("Random rate (%)", exact=True).input_value() == "1.5"
        with store:
            saved = store.targets()
        assert (saved.red.expected_rate, saved.yellow.random_rate) == (0.03, 0.015)
        shoot(page, "analyst-lanes")
        accessible(page, "analyst-lanes")
        assert page.script_errors == []
    finally:
        rates = [
            LaneRates(
                t.lane, t.expected_rate, t.random_rate, t.aeo_expected_rate, t.aeo_random_rate
            )
            for t in before.in_severity_order
        ]
        put_lane_targets(PutLaneTargets(rates, "test"), store, portal.runtime.context.now())
        portal.runtime.sync(force=True)


@pytest.fixture(scope="module")
def kcs_history(tmp_path_factory: pytest.TempPathFactory) -> LabelledHistory:
    """The first 1,200 lines of the KCS synthetic declarations (MIT), enough to train on."""
    path: Path = tmp_path_factory.mktemp("kcs") / "train.csv"
    with KCS.open(encoding="utf-8") as source:
        path.write_text("".join(islice(source, 1201)), encoding="utf-8")
    return read_history(path, read_mapping(shipped_mapping("kcs")))


def _train(portal: Any, history: LabelledHistory, seed: int) -> int:
    trained = train_from_history(history, seed=seed, settings=FAST)
    with portal.runtime.engine.begin() as connection:
        return save_model(
            connection,
            trained.model,
            created_by="risk_analyst",
            source=f"KCS sample, seed {seed}",
            settings=trained.settings,
            metrics=trained.metrics,
            training_rows=trained.training_rows,
            baseline=trained.baseline,
        )


def test_the_analyst_promotes_and_rolls_back_a_model(
    page: Any, portal: Any, sign_in: Any, shoot: Any, accessible: Any, kcs_history: LabelledHistory
) -> None:
    sign_in(page, "risk_analyst")
    with portal.runtime.engine.connect() as connection:
        untrained = not list_models(connection)
    if untrained:
        page.goto("/analyst/models")
        assert page.get_by_text("No risk model has been trained yet.").is_visible()
        assert page.get_by_text("clearway risk train --history").is_visible()
        shoot(page, "analyst-models-none")
        accessible(page, "analyst-models-none")
    first, second = _train(portal, kcs_history, 1), _train(portal, kcs_history, 2)

    page.goto("/analyst/models")
    for version in (first, second):
        page.get_by_role("link", name=f"Promote version {version}").click()
        assert page.get_by_role("heading", name=f"Promote version {version}?").is_visible()
        page.get_by_role("button", name=f"Yes, promote version {version}").click()
        assert (
            page.get_by_role("status").inner_text() == f"Version {version} is now the active model."
        )
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=str(second), exact=True)
    )
    assert "Active" in row.inner_text()
    with portal.runtime.engine.connect() as connection:
        metrics = next(info.metrics for info in list_models(connection) if info.version == second)
    assert f"{metrics['auc']:.3f}" in row.inner_text()
    assert f"{metrics['precision_at_10'] * 100:.1f}%" in row.inner_text()

    drift = page.get_by_role("table", name=re.compile("^Population stability index"))
    feature_rows = drift.locator("tbody tr")
    assert feature_rows.count() > 100  # every feature the model reads
    assert page.get_by_text("Above 0.25: a major shift").is_visible()
    shoot(page, "analyst-models")
    accessible(page, "analyst-models")

    page.get_by_role("link", name=f"Roll back to version {first}").click()
    assert page.get_by_role("heading", name=f"Roll back to version {first}?").is_visible()
    shoot(page, "analyst-models-rollback")
    accessible(page, "analyst-models-rollback")
    page.get_by_role("button", name=f"Yes, roll back to version {first}").click()
    assert page.get_by_role("status").inner_text() == (
        f"Rolled back: version {first} is the active model again."
    )
    assert page.get_by_text(f"Version {first} is active").is_visible()
    with portal.runtime.engine.connect() as connection:
        assert [info.version for info in list_models(connection) if info.active] == [first]
    assert page.script_errors == []


@pytest.mark.parametrize("username", ["trader", "officer"])
def test_other_roles_are_refused_the_analyst_pages(page: Any, sign_in: Any, username: str) -> None:
    sign_in(page, username)
    for path in ("/analyst", "/analyst/models"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        assert f"the {username} role may not manage risk" in page.get_by_role("alert").inner_text()
    # The browser logs each refusal's status; nothing else may be logged.
    assert [e for e in page.script_errors if "status of 403" not in e] == []
