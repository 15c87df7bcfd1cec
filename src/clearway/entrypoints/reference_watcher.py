"""Each API worker's watch on reference data: a thread that reloads, within about a second,
whatever another worker or a command changed (``Runtime.sync``), so that requests never wait
for a reload and an idle worker is as current as a busy one."""

from __future__ import annotations

import logging
import threading

from clearway.bootstrap import Runtime
from clearway.entrypoints.relay_worker import BackgroundLoop

log = logging.getLogger("clearway.reference")


class ReferenceWatcher:
    """Checks the reference-data counters every ``interval`` seconds and reloads what moved."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._stopped = threading.Event()

    def run_forever(self, interval: float) -> None:
        while not self._stopped.wait(interval):
            try:
                self._runtime.sync()
            except Exception:  # a database hiccup: try again at the next pass
                log.exception("reloading reference data failed")

    def stop(self) -> None:
        self._stopped.set()

    def close(self) -> None:
        """Nothing held between passes."""


def start_reference_watcher(runtime: Runtime) -> BackgroundLoop:
    # Never more often than the requests' own checks would: 0 means every request checks.
    interval = max(runtime.settings.reference_check_seconds, 0.2)
    background = BackgroundLoop(ReferenceWatcher(runtime), interval, "clearway-reference")
    background.start()
    return background
