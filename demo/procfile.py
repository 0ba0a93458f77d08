"""`make demo`'s process runner: honcho (Procfile.dev), with time for a warm stop.

On Ctrl-C honcho sends SIGTERM to each process's group and SIGKILLs whatever still runs five
seconds later. A Celery worker's warm shutdown (the running task finishes, the broker's
connection closes) takes about six seconds on the filesystem broker, so the worker would be
killed mid-way; here honcho waits up to STOP_WAIT seconds instead. Ctrl-C is how the demo is
meant to stop, so it ends with 0, not honcho's 130; any other stop keeps honcho's code.

    python -m demo.procfile -f Procfile.dev start
"""

from __future__ import annotations

import signal
import sys

from honcho import command, manager

STOP_WAIT = 30  # seconds


def main(argv: list[str] | None = None) -> int:
    manager.KILL_WAIT = STOP_WAIT
    try:
        command.main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
        return 0 if code == manager.SIGNALS[signal.SIGINT]["rc"] else code
    return 0


if __name__ == "__main__":
    sys.exit(main())
