"""Reads Clientela's configuration from the environment (CLIENTELA_*), with desktop defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import platformdirs

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
SQLITE_FILE = "clientela.sqlite3"
# Every SQLite connection runs these: WAL lets readers work while one writer writes,
# NORMAL is durable under WAL except for the last commits on power loss, and the busy
# timeout makes a second writer wait instead of failing at once.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=20000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-64000",
)
# A throwaway database (a backup being verified) that no one else opens and that is deleted
# afterwards, crash or not: no syncs, a rollback journal in memory (pages added to an empty
# file need none), and sorts for index builds spilled to temporary files, not held in RAM.
SCRATCH_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=MEMORY",
    "PRAGMA synchronous=OFF",
    "PRAGMA foreign_keys=ON",
    "PRAGMA temp_store=FILE",
    "PRAGMA cache_size=-64000",
)
MODES = ("desktop", "server")


class ConfigurationError(Exception):
    """A CLIENTELA_* variable holds a value Clientela cannot use."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def _env_number(name: str, default, kind, words: str):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be {words}, not {raw!r}.") from None


def env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "a whole number")


def env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def mode() -> str:
    value = os.environ.get("CLIENTELA_MODE", "desktop").strip().lower() or "desktop"
    if value not in MODES:
        raise ConfigurationError(
            f"CLIENTELA_MODE must be one of {', '.join(MODES)}, not {value!r}."
        )
    return value


JOBS_BACKENDS = ("database", "redis")


def jobs_backend(redis_url: str) -> str:
    """Where background jobs queue: the database by default, Redis when there is one."""
    value = env_str("CLIENTELA_JOBS_BACKEND", "redis" if redis_url else "database").lower()
    if value not in JOBS_BACKENDS:
        raise ConfigurationError(
            f"CLIENTELA_JOBS_BACKEND must be one of {', '.join(JOBS_BACKENDS)}, not {value!r}."
        )
    if value == "redis" and not redis_url:
        raise ConfigurationError("CLIENTELA_JOBS_BACKEND=redis needs CLIENTELA_REDIS_URL.")
    return value


def data_dir() -> Path:
    """The folder holding the SQLite file, uploads, backups, logs and the secret key."""
    raw = os.environ.get("CLIENTELA_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else Path(platformdirs.user_data_dir("clientela", False))
    path = path.resolve()
    # Owner-only: the folder holds the database and the secret key.
    for sub in ("", "uploads", "backups", "logs", "static"):
        (path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def secret_key(folder: Path) -> str:
    """CLIENTELA_SECRET_KEY, or a key generated on first start and kept in the data folder."""
    from_env = os.environ.get("CLIENTELA_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = folder / SECRET_KEY_FILE
    try:
        key = key_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting together must not each write a different key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


@dataclass(frozen=True)
class Database:
    config: dj_database_url.DBConfig
    is_sqlite: bool


def database(folder: Path, url: str | None = None) -> Database:
    """The default database from CLIENTELA_DATABASE_URL, else an SQLite file in the data folder."""
    url = (url if url is not None else os.environ.get("CLIENTELA_DATABASE_URL", "")).strip()
    if not url:
        url = f"sqlite:///{folder / SQLITE_FILE}"
    try:
        config = dj_database_url.parse(url)
    except ValueError as error:
        raise ConfigurationError(f"CLIENTELA_DATABASE_URL is not usable: {error}") from None
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": ";".join(SQLITE_PRAGMAS),
            # Take the write lock when a transaction starts, so two writers queue on
            # the busy timeout instead of one failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": str(folder / "test.sqlite3")}
        return Database(config=config, is_sqlite=True)
    if engine in {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}:
        config["ENGINE"] = "django.db.backends.postgresql"
        config["CONN_MAX_AGE"] = env_int("CLIENTELA_DB_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
        return Database(config=config, is_sqlite=False)
    raise ConfigurationError(
        "CLIENTELA_DATABASE_URL must start with sqlite:// or postgres://, "
        f"not {url.split(':', 1)[0]}://."
    )
