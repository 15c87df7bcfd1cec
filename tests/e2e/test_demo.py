"""The README's first command ends in ``clearway demo``: it must serve a usable API."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from clearway.domain.risk.history_keys import feature_names
from tests.conftest import example_bytes

CLEARWAY = str(Path(sys.executable).with_name("clearway"))
# What a reason may name: a history key (its counts, rate, price and age grouped) or a number.
REASON_FEATURES = {name.partition(".")[0] for name in feature_names()}
MODEL_LINE = re.compile(
    r"Risk model version (\d+) \(active\) trained in [\d.]+ s on ([\d,]+) simulated past "
    r"declarations, ([\d,]+) found suspicious \(([\d,]+) lines fitted\): AUC (0\.\d+) on the "
    r"([\d,]+) lines of the latest days, held out\."
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_demo_serves_seeded_declarations_to_its_printed_users(tmp_path: Path) -> None:
    port = free_port()
    output = tmp_path / "demo.out"
    with output.open("w") as sink:
        demo = subprocess.Popen(
            [
                CLEARWAY,
                "demo",
                "--port",
                str(port),
                "--count",
                "60",
                "--database",
                str(tmp_path / "demo.db"),
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        printed = output.read_text()
        assert "60 declarations lodged" in printed
        # The demo trained its risk model on a simulated past, a tenth of it suspicious.
        trained = MODEL_LINE.search(printed)
        assert trained, printed
        version, past, suspicious, _, auc, _ = trained.groups()
        assert (version, past) == ("1", "2,000")
        assert 150 <= int(suspicious.replace(",", "")) <= 250
        assert float(auc) >= 0.8  # measured 0.919
        passwords = dict(re.findall(r"│ \w+\s+│ ([\w-]+)\s+│ (\S+)\s+│", printed))
        assert {"trader", "officer", "risk_analyst", "agency", "auditor", "admin", "broker"} <= set(
            passwords
        )

        def token(username: str) -> dict[str, str]:
            response = httpx.post(
                f"{base}/api/v1/auth/token",
                data={"username": username, "password": passwords[username]},
            )
            assert response.status_code == 200, response.text
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        officer = httpx.get(
            f"{base}/api/v1/declarations", params={"limit": 500}, headers=token("officer")
        ).json()
        assert len(officer["items"]) == 60
        officer_token = token("officer")
        with httpx.Client(base_url=base, headers=officer_token) as officer_client:
            decisions = [
                officer_client.get(f"/api/v1/declarations/{item['id']}").json()["risk"]
                for item in officer["items"]
            ]
        # Every seeded declaration was scored by the demo's model; a few (the suspicious ones)
        # high, most low.
        scores = sorted(decision["score"] for decision in decisions)
        assert all(decision["model_version"] == 1 for decision in decisions)
        assert all(isinstance(score, float) and 0 <= score <= 1 for score in scores)
        assert scores[len(scores) // 2] < 0.2 and scores[-1] > 0.5
        # The goods held or audited carry the reasons of their score, named by feature.
        checked = [decision for decision in decisions if decision["lane"] != "green"]
        assert checked
        for decision in checked:
            assert decision["reasons"], decision
            assert {reason["feature"] for reason in decision["reasons"]} <= REASON_FEATURES
            assert all(reason["text"] for reason in decision["reasons"])
        trader = httpx.get(
            f"{base}/api/v1/declarations", params={"limit": 500}, headers=token("trader")
        ).json()
        assert 0 < len(trader["items"]) < 60
        lodged = httpx.post(
            f"{base}/api/v1/declarations",
            content=example_bytes("import"),
            headers={**token("broker"), "Content-Type": "application/json"},
        )
        assert lodged.status_code == 201, lodged.text
        outcome = lodged.json()["risk"]["outcome"]
        assert outcome in ("released", "document_check", "physical_examination")
        # Every seeded declaration went through the risk stage under the illustrative criteria.
        statuses = {item["status"] for item in officer["items"]}
        assert statuses <= {"released", "held"}
        rules = httpx.get(f"{base}/api/v1/risk/rules", headers=token("risk_analyst")).json()
        assert len(rules) == 5
        held = sum(item["status"] == "held" for item in officer["items"])
        queue = httpx.get(f"{base}/api/v1/work-queue", headers=token("officer")).json()["items"]
        referred = httpx.get(f"{base}/api/v1/referrals", headers=token("agency")).json()
        # Held goods wait for an officer or, when referred, for the export-control agency.
        assert sum(item["lane"] in ("yellow", "red") for item in queue) + len(referred) >= held
        # The demo agency has issued the licence the export example cites.
        exported = httpx.post(
            f"{base}/api/v1/declarations",
            content=example_bytes("export"),
            headers={**token("exporter"), "Content-Type": "application/json"},
        )
        assert exported.status_code == 201, exported.text
        assert exported.json()["referral"] is None
        assert httpx.get(f"{base}/docs").status_code == 200
    finally:
        demo.terminate()
        demo.wait(timeout=20)
