"""The HTTP benchmark's client (scripts/bench-http): concurrent clients, each a thread with
its own keep-alive connection, asking the same pages of one or more running web processes
over real sockets, as a browser (a session cookie) or a script (an API token) would. For
each page: p50 and p95 of the response time seen by the clients, and the throughput of
all of them together. Standard library only, so it runs from the product's environment.

    python bench/over_http.py ACCOUNTS.json http://127.0.0.1:8311[,http://127.0.0.1:8312]
        [--clients 4] [--requests 40] [--label L]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

RESULTS = Path(__file__).with_name("results")
WARM_UP = 3


def pages(accounts: dict) -> list[tuple[str, str, bool]]:
    """(name, path, as a script with the API token) of each page measured."""
    return [
        ("contacts: first page", "/contacts/", False),
        ("contacts: search filter", f"/contacts/?q={accounts['surname']}", False),
        ("contact page", f"/contacts/{accounts['contact']}/", False),
        ("company page", f"/companies/{accounts['company']}/", False),
        ("search palette", f"/search/palette/?q={accounts['name_term']}", False),
        ("api: contacts", "/api/v1/contacts/", True),
        ("api: a contact", f"/api/v1/contacts/{accounts['contact']}", True),
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# A form sent by POST: (client number, request number) → the form's fields, so that each
# request can create a record of its own.
Form = Callable[[int, int], dict]


def _client(
    host: str,
    path: str,
    headers: dict,
    count: int,
    times: list,
    errors: list,
    form: Form | None = None,
    expect: int = 200,
    client: int = 0,
):
    parts = urlsplit(host)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    sent = dict(headers)
    if form is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        for number in range(WARM_UP + count):
            body = None if form is None else urlencode(form(client, number), doseq=True)
            started = time.perf_counter()
            connection.request("GET" if form is None else "POST", path, body=body, headers=sent)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status != expect:
                errors.append(response.status)
            elif number >= WARM_UP:
                times.append(elapsed)
    except OSError as error:
        errors.append(repr(error))
    finally:
        connection.close()


def measure(
    hosts: list[str],
    path: str,
    headers: dict,
    clients: int,
    count: int,
    form: Form | None = None,
    expect: int = 200,
) -> dict:
    """`clients` threads, spread over the hosts, each asking `path` `count` times (or, with
    a form, sending it there by POST and expecting `expect`, a redirect after a write)."""
    times: list[float] = []
    errors: list = []
    threads = [
        threading.Thread(
            target=_client,
            args=(hosts[n % len(hosts)], path, headers, count, times, errors, form, expect, n),
        )
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if not times:
        raise RuntimeError(f"{path}: no answer ({errors[:3]})")
    return {
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(_percentile(times, 0.95) * 1000, 2),
        # The warm-ups are in the wall time too: all requests over it.
        "per_second": round(clients * (WARM_UP + count) / wall, 1),
        "requests": len(times),
        "errors": len(errors),
    }


def run(accounts: dict, hosts: list[str], clients: int, count: int) -> list[dict]:
    browser = {"Cookie": f"{accounts['cookie_name']}={accounts['session']}"}
    script = {"Authorization": f"Bearer {accounts['token']}"}
    rows = []
    for name, path, api in pages(accounts):
        figures = measure(hosts, path, script if api else browser, clients, count)
        rows.append({"name": name, "path": path, **figures})
    return rows


def table(rows: list[dict], processes: int, clients: int) -> str:
    lines = [
        f"{processes} web process(es), {clients} concurrent clients; times in ms",
        f"{'page':26} {'p50':>8} {'p95':>8} {'req/s':>7} {'errors':>6}",
    ]
    for row in rows:
        lines.append(
            f"{row['name']:26} {row['p50_ms']:8.2f} {row['p95_ms']:8.2f} "
            f"{row['per_second']:7.1f} {row['errors']:6}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("accounts", type=Path)
    parser.add_argument("hosts")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--label", default="")
    options = parser.parse_args()
    accounts = json.loads(options.accounts.read_text())
    hosts = options.hosts.split(",")
    rows = run(accounts, hosts, options.clients, options.requests)
    print(table(rows, len(hosts), options.clients))
    if options.label:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"http-{options.label}.json"
        path.write_text(
            json.dumps(
                {
                    "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "processes": len(hosts),
                    "clients": options.clients,
                    "requests_per_client": options.requests,
                    "pages": rows,
                },
                indent=2,
            )
        )
        print(f"Wrote {path}")


if __name__ == "__main__":
    main()
