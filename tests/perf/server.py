"""A real site on 127.0.0.1 for benchmarks and load tests: gunicorn, and optionally a Celery
worker (and beat), as subprocesses of the caller. No pytest tests live here.

    with running_site(database_url=..., redis_url=..., port=8011) as base_url:
        session = requests.Session()
        login(session, base_url, "someone@example.com", "password")
        session.get(f"{base_url}/portfolio/")

The caller owns the database: migrate it and seed it first. Logs go to var/perf/<name>-<port>.log.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LOG_DIR = ROOT / "var" / "perf"
HEALTH_PATH = "/healthz/"  # config.health.healthz in config/urls.py
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SiteError(RuntimeError):
    """The site did not start, or a login through its form failed."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _log_tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return "(no log)"


def _stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """SIGTERM (a graceful stop for gunicorn's master and Celery), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _static_current(settings: str) -> bool:
    """Whether the bench settings' collected files are newer than every source of them (our
    static/, the lock files that pin node_modules and the Python packages)."""
    if settings != "config.settings.bench":
        return False
    manifest = LOG_DIR / "static" / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [ROOT / "package-lock.json", ROOT / "uv.lock", *(ROOT / "static").rglob("*")]
    collected = manifest.stat().st_mtime
    return all(path.stat().st_mtime < collected for path in sources if path.exists())


def static_collect(*, settings: str, env: dict | None = None) -> None:
    """collectstatic for `settings` unless its collected files are current; one at a time (a
    benchmark and a load test may start together)."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOG_DIR / "collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _static_current(settings):
            subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                cwd=ROOT,
                env={**(env or os.environ), "DJANGO_SETTINGS_MODULE": settings},
                check=True,
            )


def _wait_healthy(url: str, processes: list[tuple[subprocess.Popen, Path]], timeout: float):
    deadline = time.monotonic() + timeout
    last_error = ""
    while time.monotonic() < deadline:
        for process, log in processes:
            if process.poll() is not None:
                raise SiteError(
                    f"{process.args[:4]} exited with {process.returncode}:\n{_log_tail(log)}"
                )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = str(error)
        time.sleep(0.1)
    raise SiteError(f"{url} did not answer within {timeout:.0f} s ({last_error})")


@contextlib.contextmanager
def running_site(
    *,
    database_url: str,
    redis_url: str | None,
    port: int,
    web_workers: int = 3,
    with_worker: bool = False,
    with_beat: bool = False,
    worker_concurrency: int = 2,
    settings: str = "config.settings.bench",
    collect_static: bool = True,
    startup_timeout: float = 60,
) -> Iterator[str]:
    """Start gunicorn (config.wsgi on 127.0.0.1:`port`, `web_workers` sync workers) with
    `settings` (DEBUG off, static files from WhiteNoise), and a Celery worker if `with_worker`
    (`with_beat` adds the beat scheduler to it); wait until /healthz/ answers; yield the base
    URL; stop every process on exit, also when the body raises.

    Tasks go to queues of this site's own (`cg-perf-<port>-default`, …), so no other worker
    (a developer's `make worker`) takes them and this worker takes nobody else's. Without
    `redis_url` Celery uses the filesystem transport under var/. The caller migrates and seeds
    the database.
    """
    if not _port_free(port):
        raise SiteError(f"Port {port} on 127.0.0.1 is taken; pick another.")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    queue = f"cg-perf-{port}"  # the prefix of this site's four queues (config/task_queues.py)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database_url,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CELERY_QUEUE_PREFIX": f"{queue}-",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    if collect_static:
        static_collect(settings=settings, env=env)

    started: list[tuple[subprocess.Popen, Path]] = []

    def _start(name: str, args: list[str]) -> None:
        log = LOG_DIR / f"{name}-{port}.log"
        with open(log, "w") as handle:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and modules)
                [sys.executable, *args],
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        started.append((process, log))

    try:
        _start(
            "gunicorn",
            [
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(web_workers),
                "--timeout",
                "60",
                "--access-logfile",
                str(LOG_DIR / f"gunicorn-access-{port}.log"),
            ],
        )
        if with_worker:
            worker = [
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=WARNING",
                f"--concurrency={worker_concurrency}",
                "--without-gossip",
                "--without-mingle",  # consumes the four queues of its CELERY_QUEUE_PREFIX
                "--hostname",
                f"{queue}@%h",
            ]
            if with_beat:
                # Beat's schedule is in the database (django-celery-beat); its lock file is ours.
                worker += ["--beat", "--schedule", str(LOG_DIR / f"beat-{port}.db")]
            _start("worker", worker)
        base_url = f"http://127.0.0.1:{port}"
        _wait_healthy(base_url + HEALTH_PATH, started, startup_timeout)
        yield base_url
    finally:
        for process, _log in reversed(started):
            _stop(process)


def login(session, base_url: str, email: str, password: str) -> None:
    """Log `session` (a requests.Session) in through the real login form, CSRF token and all.
    Raises SiteError if the form comes back instead of the redirect."""
    url = f"{base_url}/login/"
    page = session.get(url, timeout=30)
    page.raise_for_status()
    match = _CSRF_INPUT.search(page.text)
    if not match:
        raise SiteError(f"No CSRF token in the login form at {url}.")
    response = session.post(
        url,
        data={"csrfmiddlewaretoken": match.group(1), "username": email, "password": password},
        headers={"Referer": url},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise SiteError(f"Login as {email} failed: HTTP {response.status_code}.")
