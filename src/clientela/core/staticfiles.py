"""The CSS and JavaScript Clientela serves: hashed and compressed by WhiteNoise."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's hashed storage, compressing (Brotli at its highest level, and gzip) only
    the files pages load.

    Brotli at level 11 was most of every start. Pages ask for the hashed names alone
    ({% static %} reads them from the manifest), so the plain copies, kept for anything
    asking by the plain name, are served uncompressed: compressing both copies did the work
    twice. Source maps (.map) are fetched only by a browser's developer tools, yet were
    half of the bytes to compress (Swagger UI's and ReDoc's, 5 MB); they are served
    uncompressed too. About a fifth of the work remains, at the same level.
    """

    def compress_files(self, paths):
        hashed = set(self.hashed_files.values())
        pages_load = [path for path in paths if path in hashed and not path.endswith(".map")]
        yield from super().compress_files(pages_load)
