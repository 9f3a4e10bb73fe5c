"""Clientela against DjangoCRM over HTTP (scripts/bench-peers): DjangoCRM's settings and the
loader run in bench/peers/.venv; the rows export and the client run in Clientela's."""
