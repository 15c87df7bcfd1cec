"""What the command line prints, and how.

Much of it is text from outside: file names, LRNs, MRNs, party names, values read from CSV or
JSON files, error messages quoting them. Rich would read ``[/x]`` in any of them as markup (and
stop the command with a traceback) and ``:smile:`` as an emoji code, so every console here
prints text as it is, table cells and titles included; styles are given as ``style=`` or as
``Text`` spans, never as markup in the string.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

__all__ = ["errors", "fail", "make_console"]


def make_console(*, stderr: bool = False, highlight: bool = True) -> Console:
    """A console that reads no markup and no emoji codes in what it prints."""
    return Console(stderr=stderr, soft_wrap=True, markup=False, emoji=False, highlight=highlight)


errors = make_console(stderr=True)


def fail(message: str) -> NoReturn:
    """One line on stderr, the message as it is, and exit status 1."""
    errors.print(Text.assemble(("error:", "red"), " ", message), highlight=False)
    raise typer.Exit(code=1)
