"""The README's first command ends in ``clearway demo``: it must serve a usable API."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from tests.conftest import example_bytes

CLEARWAY = str(Path(sys.executable).with_name("clearway"))


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
