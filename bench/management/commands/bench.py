"""`clientela bench generate|run|compare|import|export|backup|mail`: the data generator and the
benchmarks."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.tickets import ARTICLES

RESULTS = Path(__file__).resolve().parents[2] / "results"


class Command(BaseCommand):
    help = "Generate benchmark data, run the benchmarks, or compare two runs' results."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        generate = commands.add_parser("generate", help="fill an empty database")
        generate.add_argument("--contacts", type=int, required=True)
        generate.add_argument("--companies", type=int, required=True)
        generate.add_argument("--activities", type=int, required=True)
        generate.add_argument("--seed", type=int, default=10)
        generate.add_argument(
            "--tickets",
            type=int,
            default=0,
            help="tickets too (the issue's goal: as many as contacts)",
        )
        generate.add_argument(
            "--projects",
            type=int,
            default=None,
            help="projects, one per company from the first (default: one for every company)",
        )
        generate.add_argument(
            "--articles",
            type=int,
            default=ARTICLES,
            help=f"knowledge base articles (default {ARTICLES:,}; 0 leaves them out)",
        )
        articles = commands.add_parser(
            "articles", help="add the knowledge base to a database generated without it"
        )
        articles.add_argument("--articles", type=int, default=ARTICLES)
        articles.add_argument("--seed", type=int, default=10)
        run = commands.add_parser("run", help="time the pages against their floors")
        run.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
        run.add_argument("--label", default="", help="names the JSON file in bench/results/")
        run.add_argument(
            "--only",
            default="",
            help="only the pages whose name holds this text (no writes, no back-test)",
        )
        imports = commands.add_parser("import", help="time a generated CSV's import")
        imports.add_argument("--rows", type=int, default=100_000)
        imports.add_argument("--label", default="", help="names the JSON file in bench/results/")
        imports.add_argument(
            "--types",
            default="order,activity,task",
            help="the other record types timed after the contacts (comma-separated)",
        )
        mail = commands.add_parser("mail", help="time fetching generated mail over IMAP")
        mail.add_argument("--messages", type=int, default=10_000)
        mail.add_argument("--label", default="", help="names bench/results/mail-<label>.json")
        exports = commands.add_parser("export", help="time exporting every contact as CSV")
        exports.add_argument("--label", default="", help="names bench/results/export-<label>.json")
        backups = commands.add_parser("backup", help="time a verified backup of the database")
        backups.add_argument("--label", default="", help="names bench/results/backup-<label>.json")
        compare = commands.add_parser("compare", help="targets across two result files")
        compare.add_argument("small", type=Path)
        compare.add_argument("large", type=Path)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "generate":
            self._generate(options)
        elif action == "articles":
            self._articles(options)
        elif action == "run":
            self._run(options)
        elif action == "import":
            self._import(options)
        elif action == "mail":
            self._mail(options)
        elif action in ("export", "backup"):
            self._export_or_backup(action, options)
        else:
            self._compare(options)

    def _generate(self, options):
        from bench.generate import Plan, generate

        plan = Plan(
            contacts=options["contacts"],
            companies=options["companies"],
            activities=options["activities"],
            seed=options["seed"],
            tickets=options["tickets"],
            projects=options["companies"] if options["projects"] is None else options["projects"],
            articles=options["articles"],
        )
        if plan.contacts < 100 or plan.companies < 2 or plan.activities < 1000:
            raise CommandError("At least 100 contacts, 2 companies and 1,000 activities.")
        started = time.perf_counter()
        self.stdout.write(f"Generating {plan}")
        try:
            generate(plan, self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Generated in {time.perf_counter() - started:.1f} s")

    def _articles(self, options):
        from bench.generate import Plan, add_articles

        # The articles' values depend on the seed and the article's number only.
        plan = Plan(
            contacts=0,
            companies=0,
            activities=0,
            seed=options["seed"],
            articles=options["articles"],
        )
        try:
            add_articles(plan, self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from None

    def _run(self, options):
        from bench import report, requests

        result = requests.run_all(
            repeat=options["repeat"], log=self.stdout.write, only=options["only"]
        )
        self.stdout.write(report.table(result))
        label = options["label"] or f"{result['database']['vendor']}-{result['contacts']}"
        self._write(f"{label}.json", result)

    def _import(self, options):
        from bench import imports

        result = imports.run(options["rows"], self.stdout.write, types=options["types"].split(","))
        for key, value in result.items():
            self.stdout.write(f"  {key:<22} {value}")
        RESULTS.mkdir(exist_ok=True)
        label = options["label"] or f"import-{result['database']}-{result['rows']}"
        path = RESULTS / f"{label}.json"
        path.write_text(json.dumps(result, indent=2))
        self.stdout.write(f"Wrote {path}")

    def _mail(self, options):
        from bench import mail

        result = mail.run(options["messages"], self.stdout.write)
        for key, value in result.items():
            if key != "samples":  # logged as they came
                self.stdout.write(f"  {key:<32} {value}")
        label = options["label"] or f"{result['database']}-{result['contacts']}"
        self._write(f"mail-{label}.json", result)

    def _export_or_backup(self, action: str, options):
        from bench import backups, exports

        module = exports if action == "export" else backups
        result = module.run(self.stdout.write)
        for key, value in result.items():
            if isinstance(value, dict):
                value = ", ".join(f"{name} {figure}" for name, figure in value.items())
            if not isinstance(value, list):  # the memory samples were logged as they came
                self.stdout.write(f"  {key:<22} {value}")
        label = options["label"] or f"{result['database']}-{result['contacts']}"
        self._write(f"{action}-{label}.json", result)

    def _write(self, name: str, result: dict) -> None:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / name
        path.write_text(json.dumps(result, indent=2, default=str))
        self.stdout.write(f"Wrote {path}")

    def _compare(self, options):
        from bench import report

        small = json.loads(options["small"].read_text())
        large = json.loads(options["large"].read_text())
        self.stdout.write(report.comparison(small, large))
