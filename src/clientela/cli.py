"""The `clientela` command: Django's management commands under the product's name."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# bench/ (data generator and benchmarks) sits beside src/ in a source checkout and is never
# installed; `clientela bench …` runs there with bench's settings, which add its app.
CHECKOUT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["bench"] and (CHECKOUT / "bench" / "settings.py").is_file():
        sys.path.insert(0, str(CHECKOUT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    from clientela.config import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["clientela", *args])
    except ConfigurationError as error:
        sys.stderr.write(f"clientela: {error}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
