"""The layer contracts hold on the code, and would catch a kernel module importing a
domain app: the check in the test command is real, not a contract that cannot fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def lint_imports(src: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH first, so `clientela` is the tree given, not the installed one.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=src,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_src(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "clientela",
        src / "clientela",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "static", "templates", "locale"),
    )
    return src


def test_the_code_keeps_every_layer_contract():
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_kernel_module_importing_a_domain_app_breaks_the_contracts(tmp_path):
    src = copy_of_src(tmp_path)
    # An import inside a function counts as much as one at the top of a module.
    (src / "clientela" / "core" / "shortcut.py").write_text(
        '"""A kernel module reaching up into a domain app."""\n\n\n'
        "def first_contact():\n"
        "    from clientela.customers.models import Contact\n\n"
        "    return Contact.objects.first()\n"
    )
    result = lint_imports(src)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Three layers: integration and workspace, then domain, then kernel BROKEN" in (
        result.stdout
    )
    assert "clientela.core.shortcut -> clientela.customers.models" in result.stdout


def test_a_lower_domain_app_importing_a_higher_one_breaks_the_domain_order(tmp_path):
    src = copy_of_src(tmp_path)
    (src / "clientela" / "customers" / "orders_of.py").write_text(
        '"""Customers reaching up into orders."""\n\nfrom clientela.orders.models import Order\n'
    )
    result = lint_imports(src)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Domain apps in order" in result.stdout
    assert "clientela.customers.orders_of -> clientela.orders.models" in result.stdout


def test_no_module_passes_600_lines():
    """A module past 600 lines does more than one thing: split it by what it does."""
    long = {
        str(path.relative_to(ROOT)): count
        for path in (ROOT / "src" / "clientela").rglob("*.py")
        if "migrations" not in path.parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}
