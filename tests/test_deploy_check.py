"""Server mode passes Django's deployment checklist with no warning."""

from tests.conftest import run_clientela


def test_check_deploy_reports_nothing_in_server_mode(tmp_path):
    result = run_clientela(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        CLIENTELA_MODE="server",
        CLIENTELA_ALLOWED_HOSTS="crm.example.com",
        CLIENTELA_SECRET_KEY="x7#Kq2!vP9zL4mR8tW1yB6nC3jF5hD0gS-aE_uI+oQ=wX%eZ^rT&",
        CLIENTELA_DATABASE_URL="postgres://clientela@127.0.0.1:5432/clientela",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
