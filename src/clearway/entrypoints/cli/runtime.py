"""The runtime a command works with, and how long what it holds is kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from clearway.bootstrap import Runtime, build_runtime, built_for_life
from clearway.config import get_settings

# Whether the command is the whole process (run as the console script), not called in one
# that goes on (the tests call the app in-process).
_WHOLE_PROCESS: ContextVar[bool] = ContextVar("clearway_whole_process", default=False)


def run_as_whole_process() -> None:
    """Say that the process ends with the command (the console script)."""
    _WHOLE_PROCESS.set(True)


@contextmanager
def opened_runtime() -> Iterator[Runtime]:
    """The runtime on the settings' database, its connections closed when the command ends;
    built and then held out of the collector's sight (``built_for_life``), until the process
    exits when the command is the whole process."""
    build = partial(build_runtime, get_settings())
    with built_for_life(build, until_exit=_WHOLE_PROCESS.get()) as runtime:
        try:
            yield runtime
        finally:
            runtime.engine.dispose()
