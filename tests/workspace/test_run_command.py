"""`clientela run` prepares a fresh installation: database, first administrator, demo data."""

import re

import pytest
from django.core.management import CommandError, call_command

from clientela.users.models import User


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


@pytest.mark.django_db
def test_ctrl_c_pressed_again_while_closing_stops_without_a_traceback(capsys, monkeypatch):
    import waitress.server

    real_create_server = waitress.server.create_server

    class Closing:
        def __init__(self, *args, **kwargs):
            self.server = real_create_server(*args, **kwargs)
            self.effective_port = self.server.effective_port

        def run(self):
            # Waitress took the first Ctrl+C and is closing its threads: a second one.
            self.server.close()
            raise KeyboardInterrupt

    monkeypatch.setattr(waitress.server, "create_server", Closing)
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "Munte-Albastru-2026")
    call_command("run", "--no-worker", "--port", "0")  # returns: no KeyboardInterrupt out of it
    assert "Clientela stopped." in capsys.readouterr().out


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
