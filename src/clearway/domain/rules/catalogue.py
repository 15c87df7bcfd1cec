"""The rules as a document: one table of every rule's code, title and legal basis."""

from __future__ import annotations

from clearway.domain.rules.base import RULES


def rules_markdown() -> str:
    lines = [
        "# Validation rules",
        "",
        "Every declaration is checked against all of these at once; each violation is returned",
        "with the rule's code, a JSON pointer to the offending field and a plain message.",
        "Schema errors (`SCHEMA.*`) come first and stop the rules from running.",
        "Amendments are also checked against `AM001` to `AM003` (type, LRN and declarant stay).",
        "",
        "| code | rule | basis |",
        "|---|---|---|",
    ]
    for code in sorted(RULES):
        lines.append(f"| {code} | {RULES[code].title} | {RULES[code].basis} |")
    return "\n".join(lines) + "\n"
