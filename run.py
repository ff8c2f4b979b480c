"""Set up and run digits-knn with nothing but Python 3.11+.

    python3 run.py app     # create .venv, install, start the app (streamlit run app.py)
    python3 run.py test    # create .venv, install, lint, type-check, run every test
    python3 run.py cli ARGS  # the command line, python -m digits_knn ARGS

Both create (or refresh) the virtual environment ``.venv`` next to this file and install
the pinned requirements into it when they changed. Extra arguments after ``app`` go to
``streamlit run``; after ``test``, to ``pytest``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def call(*args: str | Path, env: dict[str, str] | None = None) -> None:
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=False)
    if completed.returncode != 0:
        say(f"failed ({completed.returncode}): {' '.join(str(a) for a in args)}")
        sys.exit(completed.returncode)


def ensure_venv(requirements: str) -> None:
    """Create .venv and install ``requirements`` into it if they changed since last time."""
    if not PYTHON.exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = sorted(ROOT.glob("requirements*.txt"))
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".{requirements}.sha256"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing {requirements}")
    call(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    call(PYTHON, "-m", "pip", "install", "--quiet", "-r", requirements)
    stamp.write_text(digest)
    if requirements == "requirements-dev.txt":  # it includes requirements.txt
        (VENV / ".requirements.txt.sha256").write_text(digest)


def find_browser() -> str | None:
    """Chromium for the browser tests: $DIGITS_KNN_CHROMIUM, Debian's, or Playwright's."""
    configured = os.environ.get("DIGITS_KNN_CHROMIUM")
    if configured:
        return configured
    if SYSTEM_CHROMIUM.exists():
        return str(SYSTEM_CHROMIUM)
    return None


def app(extra: list[str]) -> None:
    ensure_venv("requirements.txt")
    say("starting the app: open the URL below in your browser (Ctrl+C stops it)")
    os.chdir(ROOT)
    streamlit = [str(PYTHON), "-m", "streamlit", "run", "app.py", *extra]
    os.execv(str(PYTHON), streamlit)


def test(extra: list[str]) -> None:
    ensure_venv("requirements-dev.txt")
    env = dict(os.environ)
    browser = find_browser()
    if browser:
        env["DIGITS_KNN_CHROMIUM"] = browser
    else:
        # A user's machine without Debian's chromium: Playwright's own build.
        say("no system Chromium: installing Playwright's (playwright install chromium)")
        call(PYTHON, "-m", "playwright", "install", "chromium")
    say("ruff check")
    call(BIN / "ruff", "check", ".")
    say("ruff format --check")
    call(BIN / "ruff", "format", "--check", ".")
    say("mypy (the library, the page and app.py)")
    call(BIN / "mypy")
    say("pytest")
    call(PYTHON, "-m", "pytest", *extra, env=env)


def cli(extra: list[str]) -> None:
    ensure_venv("requirements.txt")
    os.chdir(ROOT)
    os.execv(str(PYTHON), [str(PYTHON), "-m", "digits_knn", *extra])


COMMANDS = {"app": app, "test": test, "cli": cli}


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by any python3
        sys.exit("digits-knn needs Python 3.11 or newer")
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
