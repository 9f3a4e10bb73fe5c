"""`clientela run`: migrate, collect static files and compile the translations when needed,
make sure an administrator exists, and serve."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from clientela.core import catalogues, health, startup, staticfiles
from clientela.users import services as user_services

DEFAULT_ADMIN_EMAIL = "admin@example.com"


def create_server(*, host: str, port: int, threads: int) -> Any:
    """The waitress server for the app, listening already.

    Proxy headers (X-Forwarded-For, -Proto…) reach the app, which believes them only from
    CLIENTELA_TRUSTED_PROXIES (clientela.core.proxies: addresses and networks, where
    waitress's own setting takes a single address) and drops them from anyone else.
    Without trusted proxies waitress drops them itself.
    """
    from waitress.server import create_server as waitress_server

    from clientela.wsgi import application

    return waitress_server(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="Clientela",
        clear_untrusted_proxy_headers=not settings.TRUSTED_PROXIES,
    )


def serve_links_from(url: str) -> None:
    """Links that leave the app (a survey's, in an e-mail a background job sends) name the
    address being served, `--host` and `--port` included, unless CLIENTELA_PUBLIC_URL names
    another: in this process and in the worker it starts, which reads the environment."""
    if os.environ.get("CLIENTELA_PUBLIC_URL", "").strip():
        return
    os.environ["CLIENTELA_PUBLIC_URL"] = settings.PUBLIC_URL = url.rstrip("/")


class Command(BaseCommand):
    help = "Set up the database if needed and serve Clientela with a production WSGI server."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("CLIENTELA_THREADS", "8")),
            help="Requests served at once.",
        )
        parser.add_argument(
            "--demo", action="store_true", help="Load the demo data set when it is not there yet."
        )
        parser.add_argument(
            "--worker",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Also run a background-job worker and scheduler (default: on in desktop mode; "
            "servers run `clientela worker` separately).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the database and the administrator, then stop.",
        )

    def handle(self, *args, **options):
        self.check(display_num_errors=False)
        self._migrate()
        self._tidy()
        self._collect_static()
        self._compile_translations()
        admin = self._first_administrator()
        if options["demo"]:
            call_command("demo", stdout=self.stdout)
        if options["no_serve"]:
            return
        self._serve(options, admin)

    def _migrate(self) -> None:
        try:
            pending = health.pending_migrations()
        except DatabaseError as error:
            raise CommandError(f"The database cannot be reached: {error}") from None
        if pending:
            self.stdout.write(f"Setting up the database ({len(pending)} steps)…")
            self.stdout.flush()
            call_command("migrate", interactive=False, verbosity=0)

    def _tidy(self) -> None:
        """What a process killed last time (kill -9, a power cut) left behind: each app's
        start-up steps (clientela.core.startup)."""
        for line in startup.run_all():
            self.stdout.write(line)

    def _collect_static(self) -> None:
        # Hashing and compressing takes a while on a small machine, and is needed only when
        # the files changed: on the first start and after an upgrade.
        if staticfiles.is_current():
            return
        self.stdout.write("Collecting static files (first start or after an upgrade)…")
        self.stdout.flush()
        staticfiles.collect()

    def _compile_translations(self) -> None:
        # Quick (about a second), and needed only when the catalogues changed.
        if not catalogues.is_current():
            self.stdout.write("Compiling the translations (first start or after an upgrade)…")
            self.stdout.flush()
            catalogues.compile_catalogues()

    def _first_administrator(self) -> user_services.FirstAdministrator:
        email = os.environ.get("CLIENTELA_ADMIN_EMAIL", "").strip() or DEFAULT_ADMIN_EMAIL
        password = os.environ.get("CLIENTELA_ADMIN_PASSWORD", "") or None
        user_services.ensure_default_roles()
        try:
            return user_services.ensure_first_administrator(email=email, password=password)
        except ValidationError as error:
            messages = "; ".join(error.messages)
            raise CommandError(f"Cannot create the first administrator: {messages}") from None

    def _serve(self, options, admin: user_services.FirstAdministrator) -> None:
        host, port = options["host"], options["port"]
        try:
            # Listening before the URL is printed: a browser opened on it at once connects.
            server = create_server(host=host, port=port, threads=options["threads"])
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}.") from None
        port = server.effective_port
        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        if ":" in shown_host:
            shown_host = f"[{shown_host}]"
        url = f"http://{shown_host}:{port}/"
        serve_links_from(url)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Clientela is running at {url}"))
        if admin.generated_password:
            self.stdout.write(
                f"Log in as {admin.user.email} with password {admin.generated_password}"
            )
            self.stdout.write(
                "This password is shown only once: change it after logging in "
                "(your name, top right, then Change password)."
            )
        elif admin.created:
            self.stdout.write(
                f"Log in as {admin.user.email} with the password from CLIENTELA_ADMIN_PASSWORD"
            )
        else:
            self.stdout.write(
                f"Log in as {admin.user.email} (forgot the password? "
                f"run: clientela changepassword {admin.user.email})"
            )
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        self.stdout.write("Press Ctrl+C to stop.")
        self.stdout.flush()
        with_worker = (
            options["worker"] if options["worker"] is not None else not settings.SERVER_MODE
        )
        worker = self._start_worker() if with_worker else None
        try:
            server.run()  # until Ctrl+C, which waitress takes and closes on
        except KeyboardInterrupt:
            # Waitress takes the first Ctrl+C itself and closes; one pressed again while it
            # closes lands here, and means the same: stop.
            pass
        finally:
            if worker is not None:
                self._stop_worker(worker)
        self.stdout.write("Clientela stopped.")

    def _start_worker(self) -> subprocess.Popen:
        # A child process rather than a thread: jobs get their own interpreter and
        # database connection, and the worker stops with us (Ctrl+C reaches both; the
        # worker also watches that its parent is alive).
        # It shares our terminal, where the console mail backend prints e-mails.
        return subprocess.Popen(
            [sys.executable, "-m", "clientela.cli", "worker", "--parent-pid", str(os.getpid())]
        )

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        # Ctrl+C already reached the worker: let it finish its job (a first start's backup
        # with its verification takes a minute on a busy machine). A second signal would
        # mean "stop now" to it, so it is sent only if the worker is still there.
        try:
            for stop, wait in ((None, 90), (worker.terminate, 20), (worker.kill, 5)):
                if worker.poll() is not None:
                    return
                if stop is not None:
                    stop()
                try:
                    worker.wait(timeout=wait)
                except subprocess.TimeoutExpired:
                    continue
        except KeyboardInterrupt:
            # Ctrl+C while waiting for the worker: stop it now. Its job in hand was not
            # committed and runs again on the next start (at-least-once).
            worker.kill()
            worker.wait()
