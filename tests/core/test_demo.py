"""`houseboat demo` as a newcomer runs it: start, read the details, sign in, Ctrl-C."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(tmp_dir: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start `houseboat demo` (its throwaway folder under tmp_dir) and read until it is ready."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUSEBOAT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    if tmp_dir is not None:
        env["TMPDIR"] = str(tmp_dir)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "houseboat", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    else:
        pytest.fail(f"houseboat demo stopped before it was ready: {process.communicate()}")
    return process, "".join(lines)


def data_dir_of(printed: str) -> Path:
    return Path(re.search(r"Data:\s+(\S+)", printed).group(1))


@pytest.fixture
def demo():
    """A running `houseboat demo` in its own throwaway folder, and what it printed."""
    process, printed = start_demo()
    yield process, printed
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture
def demos(tmp_path):
    """Start demos whose throwaway folders go under tmp_path; kill what is left at the end."""
    started = []

    def start():
        process, printed = start_demo(tmp_path)
        started.append(process)
        return process, printed

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def sign_in(base: str, username: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Sign in with a plain HTTP client; return it and the address it ends on."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = opener.open(f"{base}login/", timeout=10).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": username, "password": password}
    ).encode()
    with opener.open(f"{base}login/", data=data, timeout=10) as response:
        return opener, response.url


def test_demo_prints_how_to_sign_in_works_and_deletes_its_data_on_ctrl_c(demo):
    process, printed = demo
    base = re.search(r"Open:\s+(\S+)", printed).group(1)
    username = re.search(r"Username:\s+(\S+)", printed).group(1)
    password = re.search(r"Password:\s+(\S+)", printed).group(1)
    data_dir = Path(re.search(r"Data:\s+(\S+)", printed).group(1))
    assert base.startswith("http://127.0.0.1:") and data_dir.is_dir()

    # Plain HTTP on 127.0.0.1 must sign in: the demo turns off Secure-only cookies.
    browser, landed_on = sign_in(base, username, password)
    assert landed_on == f"{base}t/riverside/"
    public = browser.open(f"{base}c/free-the-riverside-ten/", timeout=10).read()
    assert b"Free the Riverside Ten" in public

    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    assert "Demo stopped. Its data was deleted." in out
    assert not data_dir.exists()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_the_demo_deletes_its_folder_when_terminated_or_its_terminal_closes(demos, stop):
    process, printed = demos()
    data_dir = data_dir_of(printed)
    assert data_dir.is_dir()

    process.send_signal(stop)
    out, _ = process.communicate(timeout=30)

    assert "Demo stopped. Its data was deleted." in out
    assert not data_dir.exists()


def test_a_folder_left_by_a_killed_demo_is_removed_when_the_next_demo_starts(demos, tmp_path):
    killed, printed = demos()
    left = data_dir_of(printed)
    killed.kill()  # SIGKILL: no clean-up can run
    killed.wait()
    assert left.is_dir()
    # Not a demo's folder (no marker), and a marked one whose process still runs: both stay.
    foreign = tmp_path / "houseboat-demo-not-ours"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    running, printed_running = demos()
    alive = data_dir_of(printed_running)

    assert not left.exists()
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert alive.is_dir()
    running.send_signal(signal.SIGINT)
    running.communicate(timeout=30)
    assert not alive.exists()


def test_only_this_machine_s_demo_folders_whose_process_is_gone_are_removed(tmp_path):
    from houseboat import demo_folder

    def marked(name: str, text: str) -> Path:
        folder = tmp_path / f"houseboat-demo-{name}"
        folder.mkdir()
        (folder / demo_folder.OWNER_MARKER).write_text(text)
        return folder

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    host = socket.gethostname()
    abandoned = marked("abandoned", f"{dead_pid} {host}")
    elsewhere = marked("elsewhere", f"{dead_pid} another-machine")
    mine = marked("mine", f"{os.getpid()} {host}")
    unmarked = tmp_path / "houseboat-demo-unmarked"
    unmarked.mkdir()

    assert demo_folder.remove_abandoned(tmp_path) == [abandoned]
    assert not abandoned.exists()
    assert elsewhere.is_dir() and mine.is_dir() and unmarked.is_dir()
