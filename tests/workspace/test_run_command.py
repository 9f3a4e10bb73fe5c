"""`clientela run` prepares a fresh installation: database, first administrator, demo data,
static files collected once rather than on every start."""

import io
import json
import os
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from clientela.core import staticfiles
from clientela.users.models import User
from tests.conftest import run_clientela

COLLECTING = "Collecting static files (first start or after an upgrade)…"


@pytest.mark.django_db
def test_first_run_creates_one_administrator_with_a_printed_password(capsys, monkeypatch):
    monkeypatch.delenv("CLIENTELA_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("CLIENTELA_ADMIN_PASSWORD", raising=False)
    from clientela.users import services
    from clientela.workspace.management.commands.run import Command

    result = services.ensure_first_administrator(email="admin@example.com", password=None)
    assert result.created and result.generated_password
    admin = User.objects.get()
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password(result.generated_password)

    again = services.ensure_first_administrator(email="other@example.com", password=None)
    assert not again.created and again.generated_password is None
    assert again.user == admin
    assert User.objects.count() == 1
    assert Command.help


@pytest.mark.django_db
def test_run_without_serving_uses_the_administrator_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLIENTELA_ADMIN_EMAIL", "Director@Firma.ro")
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "Munte-Albastru-2026")

    call_command("run", "--no-serve")

    admin = User.objects.get(is_superuser=True)
    assert admin.email == "director@firma.ro"
    assert admin.check_password("Munte-Albastru-2026")


@pytest.mark.django_db
def test_a_weak_administrator_password_is_refused_in_words(monkeypatch):
    monkeypatch.setenv("CLIENTELA_ADMIN_EMAIL", "admin@example.com")
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "12345")

    with pytest.raises(CommandError, match=r"Cannot create the first administrator: .*too short"):
        call_command("run", "--no-serve")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_data_loads_once(capsys):
    call_command("demo")
    first = User.objects.count()
    call_command("demo")

    assert first >= 6
    assert User.objects.count() == first
    names = set(User.objects.values_list("full_name", flat=True))
    assert {"Ștefan Ionescu", "María García López", "Emily Carter"} <= names
    assert re.search(r"Demo data is ready", capsys.readouterr().out)


def server_closing_at_once(monkeypatch, *, ctrl_c_again: bool = False) -> None:
    """`clientela run`'s server listens, answers nobody and closes at once (`ctrl_c_again`:
    waitress took the first Ctrl+C and is closing its threads when a second one comes)."""
    import waitress.server

    real_create_server = waitress.server.create_server

    class Closing:
        def __init__(self, *args, **kwargs):
            self.server = real_create_server(*args, **kwargs)
            self.effective_port = self.server.effective_port

        def run(self):
            self.server.close()
            if ctrl_c_again:
                raise KeyboardInterrupt

    monkeypatch.setattr(waitress.server, "create_server", Closing)
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "Munte-Albastru-2026")


@pytest.mark.django_db
def test_ctrl_c_pressed_again_while_closing_stops_without_a_traceback(capsys, monkeypatch):
    server_closing_at_once(monkeypatch, ctrl_c_again=True)
    call_command("run", "--no-worker", "--port", "0")  # returns: no KeyboardInterrupt out of it
    assert "Clientela stopped." in capsys.readouterr().out


def quick_runs(monkeypatch):
    """`clientela run …` whose server closes at once and whose worker is not started: each
    call returns the environment the worker would have had."""
    from clientela.workspace.management.commands import run

    server_closing_at_once(monkeypatch)
    worker: dict = {}

    class Worker:
        def __init__(self, command):
            worker.update(os.environ)

        def poll(self):
            return 0  # stopped already

        terminate = kill = poll

    monkeypatch.setattr(run.subprocess, "Popen", Worker)

    def serve(*args: str) -> dict:
        worker.clear()
        call_command("run", "--worker", *args)
        return dict(worker)

    return serve


@pytest.mark.django_db
def test_links_sent_by_the_worker_name_the_port_served(capsys, monkeypatch, settings):
    """Run on another port, a survey's link (e-mailed by the worker) names that port, not
    the default 8000; a public address the person set is kept."""
    from clientela.tickets import surveys
    from clientela.tickets.models import Survey

    monkeypatch.setenv("CLIENTELA_PUBLIC_URL", "")  # none set; put back after the test
    settings.PUBLIC_URL = "http://127.0.0.1:8000"  # the default, and put back after it too
    serve, port = quick_runs(monkeypatch), free_port()
    worker = serve("--host", "0.0.0.0", "--port", str(port))  # noqa: S104
    served = f"http://127.0.0.1:{port}"
    assert f"Clientela is running at {served}/" in capsys.readouterr().out
    assert worker["CLIENTELA_PUBLIC_URL"] == served
    assert surveys.link_for(Survey(pk=1)).startswith(f"{served}/")

    monkeypatch.setenv("CLIENTELA_PUBLIC_URL", "https://crm.firma.ro")
    settings.PUBLIC_URL = "https://crm.firma.ro"
    worker = serve("--port", str(free_port()))
    assert worker["CLIENTELA_PUBLIC_URL"] == "https://crm.firma.ro"
    assert surveys.link_for(Survey(pk=1)).startswith("https://crm.firma.ro/")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ctrl_c_while_waiting_for_the_worker_stops_it_at_once():
    from clientela.workspace.management.commands.run import Command

    class Worker:
        killed = False

        def poll(self):
            return -9 if self.killed else None

        def wait(self, timeout=None):
            if not self.killed:
                raise KeyboardInterrupt  # Ctrl+C again while the worker finishes its job

        def terminate(self):
            raise AssertionError("not asked to finish: killed at once")

        def kill(self):
            self.killed = True

    worker = Worker()
    Command()._stop_worker(worker)
    assert worker.killed


@pytest.fixture(scope="module")
def started_once(tmp_path_factory):
    """A data folder after one `clientela run --no-serve`, with the product's real storage."""
    data = tmp_path_factory.mktemp("started") / "data"
    first = run_clientela(data, "run", "--no-serve")
    assert first.returncode == 0, first.stderr
    return data, first


def test_a_restart_does_not_collect_the_static_files_again(started_once):
    data, first = started_once
    manifest = data / "static" / "staticfiles.json"
    assert COLLECTING in first.stdout
    collected_at = manifest.stat().st_mtime_ns

    again = run_clientela(data, "run", "--no-serve")

    assert again.returncode == 0, again.stderr
    assert "Collecting static files" not in again.stdout
    assert manifest.stat().st_mtime_ns == collected_at


def test_only_the_hashed_files_pages_load_are_compressed(started_once):
    data, _first = started_once
    static = data / "static"
    paths = json.loads((static / "staticfiles.json").read_text())["paths"]

    stylesheet = paths["clientela/app.css"]
    assert stylesheet != "clientela/app.css"
    assert (static / f"{stylesheet}.br").is_file()
    assert (static / f"{stylesheet}.gz").is_file()
    # The plain copy is kept, uncompressed: nothing the app renders names it.
    assert (static / "clientela/app.css").is_file()
    assert not (static / "clientela/app.css.br").exists()
    # Source maps are for a browser's developer tools only.
    source_map = paths["ninja/redoc.standalone.js.map"]
    assert (static / source_map).is_file()
    assert not (static / f"{source_map}.br").exists()


@pytest.fixture
def own_static(tmp_path, monkeypatch):
    """A static folder of its own and one extra source file, with the hashing storage."""
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "Munte-Albastru-2026")
    sources = tmp_path / "sources"
    (sources / "site").mkdir(parents=True)
    (sources / "site" / "brand.css").write_text("body { color: navy; }\n")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Hashed like the product's, without compressing: the test stays quick.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(
        STATIC_ROOT=tmp_path / "static", STATICFILES_DIRS=[sources], STORAGES=storages
    ):
        yield tmp_path / "static", sources / "site" / "brand.css"


def start() -> str:
    out = io.StringIO()
    call_command("run", "--no-serve", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_changed_static_source_is_collected_again(own_static):
    static, source = own_static
    assert COLLECTING in start()
    assert COLLECTING not in start()
    before = json.loads((static / "staticfiles.json").read_text())["paths"]["site/brand.css"]

    # An upgrade that changes a file but neither its size nor its time, which is older
    # than its collected copy's.
    stat = source.stat()
    source.write_text("body { color: teal; }\n")
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    assert COLLECTING in start()
    after = json.loads((static / "staticfiles.json").read_text())["paths"]["site/brand.css"]
    assert after != before
    assert (static / after).read_text() == "body { color: teal; }\n"
    assert (static / "site" / "brand.css").read_text() == "body { color: teal; }\n"
    assert COLLECTING not in start()


@pytest.mark.django_db
def test_a_missing_manifest_or_a_stopped_collection_is_collected_again(own_static, monkeypatch):
    static, _source = own_static
    start()
    (static / "staticfiles.json").unlink()
    assert COLLECTING in start()

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl+C while compressing

    with monkeypatch.context() as patch, pytest.raises(KeyboardInterrupt):
        patch.setattr(staticfiles, "call_command", stopped)
        staticfiles.collect()
    assert not staticfiles.is_current()
    assert COLLECTING in start()


def test_a_web_process_reads_its_url_patterns_before_serving_anyone(tmp_path):
    """The URL patterns (and the API's schemas with them) take seconds to read; read on
    the first request, they made a process's first login or API call that slow."""
    import subprocess
    import sys

    from tests.conftest import ROOT, clientela_env

    check = (
        "import clientela.wsgi\n"
        "from django.urls import get_resolver\n"
        "print('url_patterns' in vars(get_resolver()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        env=clientela_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.stdout.strip() == "True", done.stderr
