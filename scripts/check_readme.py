"""Run the README's two commands one after the other in a fresh clone, as a newcomer would.

    python3 scripts/check_readme.py [--tests "tests/core/test_text.py"] [--keep]

Clones this repository into a temporary folder, installs it into .venv with pip and
starts `.venv/bin/houseboat demo`, signs in, then runs `bash scripts/test` there
(only the tests named by --tests, to keep it short) while it fetches half the pages
the demo's menus link to, again and again, until the tests end; then every page,
the other half for the first time (a page not seen before reads its files afresh,
as a person clicking on after the tests would). It fails if any page answers
anything but 200, or if the tests fail. It needs the
network to PyPI (pip and uv install from it), and what `bash scripts/test` needs.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*args: str, cwd: Path) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run(args, cwd=cwd, check=True)  # noqa: S603 (our own commands)


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = opener.open(f"{base}login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": username, "password": password}
    ).encode()
    opener.open(f"{base}login/", data=data, timeout=30).read()
    return opener


def pages_of(opener: urllib.request.OpenerDirector, base: str, start: str) -> list[str]:
    """The team's pages linked from its home page (no sign-out, no downloads)."""
    html = opener.open(base + start.lstrip("/"), timeout=30).read().decode()
    found = {start}
    for href in re.findall(r'href="(/[^"#?]*)"', html):
        if href.startswith(("/t/", "/c/")) and "logout" not in href and "export" not in href:
            found.add(href)
    return sorted(found)


def status(opener: urllib.request.OpenerDirector, url: str) -> int:
    try:
        with opener.open(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0  # no answer at all


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", default="tests/core/test_text.py")
    parser.add_argument("--keep", action="store_true", help="keep the clone afterwards")
    options = parser.parse_args()
    clone = Path(tempfile.mkdtemp(prefix="houseboat-readme-"))
    demo = None
    try:
        run("git", "clone", "--quiet", str(REPO), str(clone), cwd=REPO)
        # The README's first command, in two steps so the demo can be watched.
        run("python3", "-m", "venv", ".venv", cwd=clone)
        run(".venv/bin/pip", "install", "--quiet", ".", cwd=clone)
        port = free_port()
        env = {
            k: v for k, v in os.environ.items() if k not in {"HOUSEBOAT_DATA_DIR", "DATABASE_URL"}
        }
        demo = subprocess.Popen(  # noqa: S603
            [".venv/bin/houseboat", "demo", "--port", str(port)],
            cwd=clone,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        printed = ""
        for line in demo.stdout:
            printed += line
            if line.startswith("Press Ctrl-C"):
                break
        password = re.search(r"Password:\s+(\S+)", printed).group(1)
        base = f"http://127.0.0.1:{port}/"
        opener = sign_in(base, "amina", password)
        pages = pages_of(opener, base, "/t/riverside/")
        pages.append("/c/free-the-riverside-ten/")
        early, late = pages[::2], pages[1::2]
        print(f"watching {len(early)} pages while the tests run, then all {len(pages)}", flush=True)
        # The README's second command, while the demo runs.
        # bash from the PATH, as a person runs it.
        tests = subprocess.Popen(  # noqa: S603
            ["bash", "scripts/test", *options.tests.split()],  # noqa: S607
            cwd=clone,
            env=env,
        )
        bad: dict[str, int] = {}
        rounds = 0
        while tests.poll() is None:
            for page in early:
                code = status(opener, base + page.lstrip("/"))
                if code != 200:
                    bad[page] = code
            rounds += 1
            time.sleep(1)
        for page in late + early:  # after the tests: the rest for the first time
            code = status(opener, base + page.lstrip("/"))
            if code != 200:
                bad[page] = code
        print(f"{rounds} rounds over {len(early)} pages while the tests ran, then {len(pages)}")
        if bad:
            print("pages that did not answer 200:", bad)
        if tests.returncode:
            print(f"bash scripts/test failed (exit {tests.returncode})")
        ok = not bad and tests.returncode == 0
        print("OK: the demo answered every page while the tests ran" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        if demo is not None and demo.poll() is None:
            demo.send_signal(signal.SIGINT)
            demo.wait(timeout=60)
        if options.keep:
            print(f"clone kept at {clone}")
        else:
            shutil.rmtree(clone, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
