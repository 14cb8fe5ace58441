"""The demo's throwaway data folder: made, marked, and removed however the demo ends.

`houseboat demo` without a data folder writes into a new folder under the system's
temporary directory. It is removed when the demo stops on Ctrl-C, on SIGTERM (a
service manager, `kill`) and on SIGHUP (the terminal window was closed). A demo killed
outright (`kill -9`, a power cut) cannot clean up after itself, so the next demo
removes the folders such demos left. Only folders houseboat made for a demo are ever
removed: each holds a marker naming the process and the machine that own it, and a
folder whose process still runs, or that another machine (or container) made in a
shared temporary directory, is left alone.

This module runs before Django is set up: it imports nothing of houseboat's.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path

PREFIX = "houseboat-demo-"
OWNER_MARKER = ".houseboat-demo-throwaway"


def make() -> Path:
    """Make a throwaway demo folder, marked as this process's."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))
    (folder / OWNER_MARKER).write_text(f"{os.getpid()} {socket.gethostname()}\n", encoding="utf-8")
    return folder


def owner(folder: Path) -> int | None:
    """The process id a throwaway demo folder of this machine names, or None if it is not one."""
    try:
        pid, _, host = (folder / OWNER_MARKER).read_text(encoding="utf-8").strip().partition(" ")
        number = int(pid)
    except (OSError, ValueError):
        return None
    # A process id means nothing on another machine, or in another container.
    return number if host == socket.gethostname() else None


def running(pid: int) -> bool:
    """Whether a process with this id runs (or may: when in doubt, say yes)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        # os.kill on Windows would end the process, not ask about it: keep the folder.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it runs, as another user
    return True


def remove_abandoned(temp_dir: Path | None = None) -> list[Path]:
    """Remove the throwaway folders of demos that no longer run; return what was removed."""
    removed = []
    base = Path(temp_dir or tempfile.gettempdir())
    for folder in sorted(base.glob(f"{PREFIX}*")):
        if folder.is_symlink() or not folder.is_dir():
            continue
        pid = owner(folder)
        if pid is None or running(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def stop_on_hangup_and_terminate() -> None:
    """Let SIGTERM and SIGHUP stop the demo as Ctrl-C does, so its clean-up runs."""

    def stop(signum: int, frame: object) -> None:
        # Once is enough: a second signal (a closing terminal may send more) must not
        # break off the clean-up the first one started.
        for number in numbers:
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt(signal.Signals(signum).name)

    numbers = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]

    for number in numbers:
        signal.signal(number, stop)


def prepare() -> Path:
    """Clear what killed demos left, then make this demo's folder; say what was cleared."""
    for folder in remove_abandoned():
        print(f"Removed {folder}, left by a demo that was stopped abruptly.", file=sys.stderr)
    return make()
