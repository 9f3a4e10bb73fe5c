"""The peers benchmark's own code, without DjangoCRM and without the network: the table of
ratios read from two recorded results, and the create form each request fills in."""

from __future__ import annotations

import json
import sys

from bench.peers import compare


def _result(product: str, times: dict[str, tuple[float, float]], errors: int = 0) -> dict:
    return {
        "product": product,
        "clients": 4,
        "requests": 40,
        "pages": {
            name: {"path": "/", "p50_ms": p50, "p95_ms": p95, "per_second": 1.0, "errors": errors}
            for name, (p50, p95) in times.items()
        },
    }


OURS = _result(
    "Clientela",
    {
        "contacts: first page": (10.0, 20.0),
        "contact page": (8.0, 16.0),
        compare.CREATE: (30.0, 40.0),
    },
)
PEER = _result(
    "DjangoCRM",
    {
        "contacts: first page": (150.0, 220.0),
        "contact page": (24.0, 40.0),
        compare.CREATE: (27.0, 60.0),
    },
    errors=1,
)


def test_ratios_are_the_peers_time_over_ours_page_by_page():
    rows = {row["page"]: row for row in compare.ratios(OURS, PEER)}

    assert rows["contacts: first page"]["p50_ratio"] == 15.0
    assert rows["contacts: first page"]["p95_ratio"] == 11.0
    assert rows["contact page"]["p50_ratio"] == 3.0
    # Slower than the peer shows as less than 1, not hidden.
    assert rows[compare.CREATE]["p50_ratio"] == 0.9
    assert rows[compare.CREATE]["errors"] == 1


def test_the_table_is_printed_from_two_recorded_result_files(tmp_path, monkeypatch, capsys):
    ours, peer = tmp_path / "ours.json", tmp_path / "peer.json"
    ours.write_text(json.dumps(OURS))
    peer.write_text(json.dumps(PEER))
    monkeypatch.setattr(sys, "argv", ["compare.py", "--table", str(ours), str(peer)])

    compare.main()

    printed = capsys.readouterr().out
    assert "Clientela against DjangoCRM" in printed
    line = next(line for line in printed.splitlines() if line.startswith("contacts: first page"))
    assert line.split()[-3:] == ["15.0", "11.0", "1"]


def test_each_create_request_fills_the_form_with_numbers_of_its_own():
    form = compare._form({"email": "p.{n}@bench.test", "phone": "+40 21 3{k}", "x": "y"}, "0042")

    first, second, other = form(0, 1), form(0, 2), form(1, 1)

    assert first == {"email": "p.00420000001@bench.test", "phone": "+40 21 3000001", "x": "y"}
    assert len({first["email"], second["email"], other["email"]}) == 3
    assert len({first["phone"], second["phone"], other["phone"]}) == 3
