"""DjangoCRM's own settings (webcrm.settings, as its package ships them) with what the peers
benchmark changes: its own PostgreSQL database (PEERS_DATABASE_URL, psycopg, the driver
Clientela uses), DEBUG off as in production, a secret key of the run.
Imported only inside bench/peers/.venv (Python 3.12, DjangoCRM installed), never by
Clientela: the module is named so that it cannot be mistaken for DjangoCRM's `settings` app."""

import os
from urllib.parse import urlsplit

from webcrm.settings import *  # noqa: F403  (DjangoCRM's settings, unchanged but for below)

_url = urlsplit(os.environ["PEERS_DATABASE_URL"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _url.path.lstrip("/"),
        "USER": _url.username or "postgres",
        "PASSWORD": _url.password or "",
        "HOST": _url.hostname or "127.0.0.1",
        "PORT": str(_url.port or 5432),
        # As Clientela's server mode: a connection per thread, kept 60 s.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
}
DEBUG = False
SECRET_KEY = os.environ.get("PEERS_SECRET_KEY", "peers-benchmark-loopback-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
