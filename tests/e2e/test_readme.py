"""The README's "Use it" example works as written against ``clearway demo``: the user it signs
in as is one the demo makes, a trader of the example's declarant, the file it lodges is there,
and its two requests, sent as its curl commands send them, answer 200 with a token and 201.

(``test_demo.py`` runs the demo itself; seeding one takes most of a minute, so this test reads
the demo's accounts from ``seed_demo`` instead of running it.)
"""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

import orjson

from clearway.bootstrap import Runtime
from clearway.domain.access import Role
from clearway.entrypoints.cli import demo
from tests.conftest import ROOT

PASSWORD = "correct horse battery"


def use_it_example() -> str:
    """The shell block of the README's "Use it" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Use it\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert found, "no ```sh block in the README's Use it section"
    return found.group(1)


def demo_traders() -> dict[str, str]:
    """The named trader accounts ``seed_demo`` makes: username → company."""
    tree = ast.parse(inspect.getsource(demo.seed_demo))
    traders: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) == 3:
            username, role, company = node.elts
            if (
                isinstance(username, ast.Constant)
                and isinstance(role, ast.Attribute)
                and role.attr == Role.TRADER.name
                and isinstance(company, ast.Constant)
            ):
                traders[str(username.value)] = str(company.value)
    return traders


def test_the_readme_example_lodges_as_the_demo_user_of_its_declarant(
    api: Any, runtime: Runtime
) -> None:
    script = use_it_example()
    username = re.search(r"-d username=(\S+)", script)
    password = re.search(r"-d password=(\S+)", script)
    posted = re.search(r"--data-binary @(\S+) http://127\.0\.0\.1:8000(\S+)", script)
    token_url = re.search(r"http://127\.0\.0\.1:8000(/api/v1/auth/token)", script)
    assert username and password and posted and token_url, script
    # The password is the one the demo prints for the user: a placeholder in the README.
    assert password.group(1) == "PASSWORD"
    example = ROOT / posted.group(1)  # the commands run from the clone
    assert example.is_file(), example
    declarant = orjson.loads(example.read_bytes())["declarant"]["id"]
    assert demo_traders().get(username.group(1)) == declarant

    runtime.users.create(username.group(1), PASSWORD, Role.TRADER, declarant)
    token = api.post(token_url.group(1), data={"username": username.group(1), "password": PASSWORD})
    assert token.status_code == 200, token.text
    lodged = api.post(
        posted.group(2),
        content=example.read_bytes(),
        headers={
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Content-Type": "application/json",
        },
    )
    assert lodged.status_code == 201, lodged.text
    assert lodged.json()["declarant_id"] == declarant
