"""Set up and run digits-knn with nothing but Python 3.11+.

    python3 run.py app     # create .venv, install, start the app (streamlit run app.py)
    python3 run.py test    # create .venv, install, lint, type-check, run every test
    python3 run.py cli ARGS  # the command line, python -m digits_knn ARGS

Both create (or refresh) the virtual environment ``.venv`` next to this file and install
the pinned requirements into it when they changed. Extra arguments after ``app`` go to
``streamlit run``; after ``test``, to ``pytest``.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import venv
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def say(message: str) -> None:
    print(f"[run.py] {message}", flush=True)


def call(
    *args: str | Path, env: dict[str, str] | None = None, quiet: bool = False
) -> None:
    completed = subprocess.run(
        [str(a) for a in args],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL if quiet else None,
    )
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
    # Compiled afterwards on every core: pip compiles one file at a time (59 s for
    # the dev requirements here; 21 s to install and 24 s to compile on two cores).
    call(PYTHON, "-m", "pip", "install", "--quiet", "--no-compile", "-r", requirements)
    site_packages = sysconfig_path(PYTHON, "purelib")
    call(PYTHON, "-m", "compileall", "-q", "-j", "0", site_packages, quiet=True)
    stamp.write_text(digest)
    if requirements == "requirements-dev.txt":  # it includes requirements.txt
        (VENV / ".requirements.txt.sha256").write_text(digest)


def sysconfig_path(python: Path, name: str) -> str:
    """A ``sysconfig`` path (``purelib``: site-packages) of another interpreter."""
    return subprocess.run(
        [str(python), "-c", f"import sysconfig; print(sysconfig.get_path({name!r}))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def find_browser() -> str | None:
    """Chromium for the browser tests: $DIGITS_KNN_CHROMIUM, Debian's, or Playwright's."""
    configured = os.environ.get("DIGITS_KNN_CHROMIUM")
    if configured:
        return configured
    if SYSTEM_CHROMIUM.exists():
        return str(SYSTEM_CHROMIUM)
    return None


#: The tests' PostgreSQL server: a URL, or started here for the run if not set.
POSTGRES_ENV = "DIGITS_KNN_TEST_POSTGRES"


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), if installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server for the tests: a temporary data folder, a free
    local port, trust authentication on 127.0.0.1 only; stopped and deleted at the
    end, whatever happens. As root it runs as the ``postgres`` user."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        say(
            "the tests need PostgreSQL's server programs (Debian/Ubuntu: "
            "apt-get install postgresql; macOS: brew install postgresql), or "
            f"${POSTGRES_ENV} set to a server URL the tests may create databases on"
        )
        sys.exit(1)
    data = Path(tempfile.mkdtemp(prefix="digits-knn-pg-"))
    as_user: list[str] = []
    if os.name != "nt" and os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data / "db")]
    say(f"starting a PostgreSQL server for the tests on port {port}")
    call(
        *as_user, bin_dir / "initdb", "-D", data / "db", "-U", "postgres",
        "--auth=trust", "-E", "UTF8", "--no-sync", quiet=True,
    )  # fmt: skip
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"
    started = False
    try:
        call(
            *pg_ctl, "-l", data / "server.log", "-o", options, "-w", "-t", "60",
            "start", quiet=True,
        )  # fmt: skip
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [*pg_ctl, "-m", "immediate", "-w", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
            )
            say("stopped the tests' PostgreSQL server")
        shutil.rmtree(data, ignore_errors=True)


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
    call(BIN / "mypy", env={**env, "MYPY_CACHE_DIR": str(mypy_cache_dir(env))})
    # A SIGTERM (CI cancelled) unwinds like Ctrl+C, so the server below is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with contextlib.ExitStack() as stack:
        if not env.get(POSTGRES_ENV):
            env[POSTGRES_ENV] = stack.enter_context(postgres_server())
        if extra:
            say("pytest")
            call(PYTHON, "-m", "pytest", *extra, env=env)
        else:
            sys.exit(pytest_in_two_halves(env))


def mypy_cache_dir(env: dict[str, str]) -> Path:
    """Where mypy keeps what it learnt of each module: the user's cache folder, so that
    a fresh clone (as CI makes for every run) need not check Streamlit, NumPy and the
    rest from scratch again (about 25-50 s here, under 1 s from the cache). mypy
    rechecks any file whose contents changed. ``MYPY_CACHE_DIR`` overrides it."""
    if env.get("MYPY_CACHE_DIR"):
        return Path(env["MYPY_CACHE_DIR"])
    home = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else None
    return (home or Path.home() / ".cache") / "digits-knn" / "mypy"


#: Tests that mostly wait: on a server and Chromium (the browser tests), on database
#: locks and other processes (the drawings store's concurrency tests). They run beside
#: the rest (one core each) instead of after it.
WAITING_TESTS = (
    "tests/test_e2e.py",
    "tests/test_store.py",
    "tests/test_cli_drawings.py",
)
#: Each half's report ends with its slowest tests: where CI's minutes go, in every log.
SLOWEST = "--durations=15"
#: The rest's numeric libraries on one thread, leaving the other core to the waiting.
ONE_THREAD = {
    name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}


def pytest_in_two_halves(env: dict[str, str]) -> int:
    """The whole suite as two pytest processes at once: the tests that mostly wait,
    and the rest. The rest reports as it goes; the other half's report follows it.

    Returns the exit status: 0 if both halves passed, else the first failure's.
    """
    waiting = ", ".join(WAITING_TESTS)
    say(f"pytest: {waiting} beside the rest")
    with tempfile.TemporaryFile() as waiting_log:
        waiting_run = subprocess.Popen(
            [str(PYTHON), "-m", "pytest", SLOWEST, *WAITING_TESTS],
            cwd=ROOT,
            env=env,
            stdout=waiting_log,
            stderr=subprocess.STDOUT,
        )
        try:
            rest = subprocess.run(
                [
                    str(PYTHON),
                    "-m",
                    "pytest",
                    SLOWEST,
                    *(f"--ignore={tests}" for tests in WAITING_TESTS),
                ],
                cwd=ROOT,
                env={**env, **ONE_THREAD},
                check=False,
            ).returncode
            waiting_status = waiting_run.wait()
        finally:
            if waiting_run.poll() is None:
                waiting_run.terminate()
                waiting_run.wait()
        waiting_log.seek(0)
        say(f"pytest {waiting}:")
        sys.stdout.flush()
        sys.stdout.buffer.write(waiting_log.read())
        sys.stdout.flush()
    for half, status in (("the rest", rest), (waiting, waiting_status)):
        if status != 0:
            say(f"failed ({status}): pytest, {half}")
            return status
    return 0


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
