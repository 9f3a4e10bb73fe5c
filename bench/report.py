"""The benchmark results as text: one run's table, and the targets across two sizes."""

from __future__ import annotations

# The targets.
MAX_BARE_RATIO = 10.0  # a page's p95 within 10x the bare page's p95
MAX_FLOOR_RATIO = 2.0  # its database time within 2x the hand-written SQL
MAX_GROWTH = 1.5  # p95 at the large size within 1.5x the small size's


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def table(result: dict) -> str:
    database = result["database"]
    lines = [
        f"{database['vendor']} {database['version']}, {result['contacts']:,} contacts, "
        f"{result['repeat']} requests per figure; times in ms",
        f"{'page':32} {'role':8} {'p50':>7} {'p95':>7} {'bare95':>7} {'xbare':>6} "
        f"{'db50':>7} {'sql50':>7} {'xsql':>6} {'q':>3}",
    ]
    for row in result["requests"]:
        bare_ratio = row["p95_ms"] / row["bare"]["p95_ms"]
        floor_ratio = row["db_p50_ms"] / row["sql_floor"]["p50_ms"]
        lines.append(
            f"{row['name']:32} {row['role']:8} {row['p50_ms']:7.2f} {row['p95_ms']:7.2f} "
            f"{row['bare']['p95_ms']:7.2f} {bare_ratio:5.1f}{'' if bare_ratio <= MAX_BARE_RATIO else '!'} "
            f"{row['db_p50_ms']:7.2f} {row['sql_floor']['p50_ms']:7.2f} "
            f"{floor_ratio:5.1f}{'' if floor_ratio <= MAX_FLOOR_RATIO else '!'} {row['queries']:3}"
        )
    lines.append("! marks a figure outside its target (xbare ≤ 10, xsql ≤ 2)")
    if result.get("writes"):
        lines.append(writes_table(result["writes"]))
    lines += backtest_lines(result.get("forecast_backtest", {}))
    return "\n".join(lines)


def writes_table(rows: list[dict]) -> str:
    """The writes, as the administrator: p50, p95, the ratio to the bare page, the
    queries, and what each item of a write cost on average (ms / queries)."""
    lines = [
        f"{'write':32} {'p50':>7} {'p95':>7} {'bare95':>7} {'xbare':>6} {'db50':>7} {'q':>3}"
        "  items (ms/queries)"
    ]
    for row in rows:
        ratio = row["p95_ms"] / row["bare"]["p95_ms"]
        items = ", ".join(
            f"{item} {cost['ms']}/{cost['queries']:g}" for item, cost in row["items"].items()
        )
        lines.append(
            f"{row['name']:32} {row['p50_ms']:7.2f} {row['p95_ms']:7.2f} "
            f"{row['bare']['p95_ms']:7.2f} {ratio:5.1f}{'' if ratio <= MAX_BARE_RATIO else '!'} "
            f"{row['db_p50_ms']:7.2f} {row['queries']:3}  {items}"
        )
    return "\n".join(lines)


def backtest_lines(backtest: dict) -> list[str]:
    """The forecasts' error on their held-back months (the forecast page's back-test)."""
    lines = []
    for name, figure in backtest.items():
        if figure["mae"] is None:
            error = "no back-test (too little history)"
        else:
            percent = f" ({figure['mape_percent']}%)" if figure["mape_percent"] else ""
            error = f"MAE {figure['mae']} {figure['unit']}".rstrip() + percent
        lines.append(f"forecast back-test, {name}: {figure['history_months']} months, {error}")
    return lines


def comparison(small: dict, large: dict) -> str:
    """p95 and query counts of the same pages at two sizes, against the growth target."""
    lines = [
        f"{large['database']['vendor']}: {small['contacts']:,} → {large['contacts']:,} contacts",
        f"{'page':32} {'role':8} {'p95 s':>7} {'p95 L':>7} {'x':>5} {'q s':>4} {'q L':>4}  target",
    ]
    before = {(row["name"], row["role"]): row for row in small["requests"]}
    # The writes are the administrator's.
    before |= {(row["name"], "admin"): row for row in small.get("writes", [])}
    for row in [*large["requests"], *({**w, "role": "admin"} for w in large.get("writes", []))]:
        old = before.get((row["name"], row["role"]))
        if old is None:
            continue
        growth = row["p95_ms"] / old["p95_ms"]
        flat = row["queries"] == old["queries"]
        lines.append(
            f"{row['name']:32} {row['role']:8} {old['p95_ms']:7.2f} {row['p95_ms']:7.2f} "
            f"{growth:5.2f} {old['queries']:4} {row['queries']:4}  "
            f"{_mark(growth <= MAX_GROWTH)} growth, {_mark(flat)} queries"
        )
    return "\n".join(lines)
