"""The peers benchmark's client (scripts/bench-peers): the same pages of Clientela and of
DjangoCRM, each served by one waitress process on loopback, asked over real sockets by the
same concurrent clients (bench/over_http.py) in one run — the contacts list, the list
narrowed by a surname, a contact's page, and creating a contact through the form — then
p50/p95 of each and how many times faster Clientela is (the peer's time over Clientela's).

    python bench/peers/compare.py CLIENTELA_ACCOUNTS.json http://127.0.0.1:8321 \\
        PEER_ACCOUNTS.json http://127.0.0.1:8322 [--clients 4] [--requests 40] [--label L]
    python bench/peers/compare.py --table CLIENTELA_RESULT.json PEER_RESULT.json

Each ACCOUNTS file says, for its product: the cookies of a signed-in user (session, CSRF),
the three pages' paths, and the create form (path, expected status, fields in which "{n}"
becomes a number of the request's own, unique in the database, and "{k}" six digits unique
in the run)."""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.over_http import RESULTS, measure

CREATE = "create contact (form)"


def _form(fields: dict, run: str):
    def form(client: int, number: int) -> dict:
        n = f"{run}{client:02d}{number:05d}"  # unique in the database: for e-mails
        k = f"{client % 10}{number:05d}"  # unique in the run, six digits: for phones
        return {name: value.replace("{n}", n).replace("{k}", k) for name, value in fields.items()}

    return form


def _headers(accounts: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in accounts["cookies"].items())}


def page(accounts: dict, host: str, name: str, clients: int, count: int, mark: str) -> dict:
    """One page of one product: its path and p50/p95/throughput/errors."""
    if name != CREATE:
        path = accounts["pages"][name]
        return {"path": path, **measure([host], path, _headers(accounts), clients, count)}
    create = accounts["create"]
    figures = measure(
        [host],
        create["path"],
        _headers(accounts),
        clients,
        count,
        form=_form(create["form"], mark),
        expect=create["expect"],
    )
    return {"path": create["path"], **figures}


def check(accounts: dict, host: str) -> None:
    """Before timing: each page answers 200 to the signed-in user, and the create form is
    taken (a redirect, not to the sign-in page), or the figures would time something else."""
    parts = urlsplit(host)
    asked = [("GET", path, None) for path in accounts["pages"].values()]
    create = accounts["create"]
    fields = _form(create["form"], "check")(0, 0)
    asked.append(("POST", create["path"], urlencode(fields)))
    for method, path, body in asked:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        headers = _headers(accounts)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        location = response.getheader("Location") or ""
        expected = 200 if body is None else create["expect"]
        if response.status != expected or "login" in location:
            raise SystemExit(
                f"{accounts['product']}: {method} {path} answered {response.status} "
                f"{location} (expected {expected}): not signed in, or the form was refused."
            )


def run(products: list[tuple[dict, str]], clients: int, count: int) -> list[dict]:
    """Each page asked of one product, then of the next, before the next page: both see
    the machine as it is at that moment."""
    # A mark of the run in each new contact's e-mail and phone: a second run on the same
    # database makes new people, not duplicates.
    mark = f"{int(time.time()) % 10000:04d}"
    for accounts, host in products:
        check(accounts, host)
    results = [
        {"product": accounts["product"], "clients": clients, "requests": count, "pages": {}}
        for accounts, _ in products
    ]
    for name in [*products[0][0]["pages"], CREATE]:
        for (accounts, host), result in zip(products, results, strict=True):
            figures = page(accounts, host, name, clients, count, mark)
            result["pages"][name] = figures
            print(
                f"  {name}, {accounts['product']}: p50 {figures['p50_ms']} ms, "
                f"p95 {figures['p95_ms']} ms, {figures['errors']} errors",
                file=sys.stderr,
                flush=True,
            )
    return results


def ratios(ours: dict, peer: dict) -> list[dict]:
    """Per page both measured: the peer's p50 and p95 over Clientela's."""
    rows = []
    for name, figures in ours["pages"].items():
        theirs = peer["pages"].get(name)
        if theirs is None:
            continue
        rows.append(
            {
                "page": name,
                "ours_p50": figures["p50_ms"],
                "ours_p95": figures["p95_ms"],
                "peer_p50": theirs["p50_ms"],
                "peer_p95": theirs["p95_ms"],
                "p50_ratio": round(theirs["p50_ms"] / figures["p50_ms"], 1),
                "p95_ratio": round(theirs["p95_ms"] / figures["p95_ms"], 1),
                "errors": figures["errors"] + theirs["errors"],
            }
        )
    return rows


def table(ours: dict, peer: dict) -> str:
    lines = [
        f"{ours['product']} against {peer['product']}: one process each, "
        f"{ours['clients']} concurrent clients; times in ms; ratio = {peer['product']} / "
        f"{ours['product']} (how many times faster)",
        f"{'page':24} {'ours p50':>9} {'ours p95':>9} {'peer p50':>9} {'peer p95':>9} "
        f"{'p50 x':>7} {'p95 x':>7} {'errors':>6}",
    ]
    for row in ratios(ours, peer):
        lines.append(
            f"{row['page']:24} {row['ours_p50']:9.2f} {row['ours_p95']:9.2f} "
            f"{row['peer_p50']:9.2f} {row['peer_p95']:9.2f} "
            f"{row['p50_ratio']:7.1f} {row['p95_ratio']:7.1f} {row['errors']:6}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", nargs=2, type=Path, metavar=("CLIENTELA", "PEER"))
    parser.add_argument("ours_accounts", nargs="?", type=Path)
    parser.add_argument("ours_host", nargs="?")
    parser.add_argument("peer_accounts", nargs="?", type=Path)
    parser.add_argument("peer_host", nargs="?")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--label", default="")
    options = parser.parse_args()
    if options.table:
        ours, peer = (json.loads(path.read_text()) for path in options.table)
        print(table(ours, peer))
        return
    if not (options.ours_host and options.peer_host):
        parser.error("give both products' accounts and hosts, or --table with two results")
    products = [
        (json.loads(options.ours_accounts.read_text()), options.ours_host),
        (json.loads(options.peer_accounts.read_text()), options.peer_host),
    ]
    results = run(products, options.clients, options.requests)
    print(table(*results))
    if options.label:
        RESULTS.mkdir(exist_ok=True)
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for result in results:
            path = RESULTS / f"peers-{options.label}-{result['product'].lower()}.json"
            path.write_text(json.dumps({"when": when, **result}, indent=2))
            print(f"Wrote {path}")


if __name__ == "__main__":
    main()
