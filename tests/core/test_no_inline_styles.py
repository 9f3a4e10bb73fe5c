"""The content security policy allows no inline style (style-src 'self'): no template
writes one, the app's script sets none, and htmx is told not to carry one over in a swap
(its settle step copies style attributes by default)."""

from __future__ import annotations

import json
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "clientela"
# Rendered to PDF on the server, never served under the policy.
PDF_TEMPLATES = {
    "orders/templates/orders/invoice_pdf.html",
    "analytics/templates/analytics/report_pdf.html",
}


def test_no_template_holds_an_inline_style():
    found = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("templates/**/*.html")
        if str(path.relative_to(SRC)) not in PDF_TEMPLATES
        and re.search(r"<style|\sstyle=", path.read_text(), re.IGNORECASE)
    ]
    assert not found, f"inline styles the policy refuses: {found}"


def test_the_apps_script_sets_no_inline_style():
    script = (SRC / "core" / "static" / "clientela" / "app.js").read_text()
    assert not re.search(r"\.style\b|setAttribute\(\s*[\"']style", script)


def test_htmx_never_settles_a_style_attribute():
    base = (SRC / "core" / "templates" / "base.html").read_text()
    config = json.loads(re.search(r'name="htmx-config" content=\'([^\']+)\'', base).group(1))
    assert config["includeIndicatorStyles"] is False
    assert "style" not in config["attributesToSettle"]
