"""Fetches the browser libraries pinned in requirements/npm.txt from the npm registry and
unpacks the files the app serves into its static folders (ignored by git).

Each tarball is checked against the sha512 integrity pinned beside its version before
anything is unpacked; a library already unpacked at its pinned version is not fetched
again, so the app starts offline once set up. No Node.js is needed: only Python.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "requirements" / "npm.txt"
PACKAGES = ROOT / "src" / "clientela"
REGISTRY = "https://registry.npmjs.org"
STAMP = ".npm-package"


def pins() -> list[tuple[str, str, str, Path, list[str]]]:
    rows = []
    for line in PINS.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, version, integrity, folder, *files = line.split()
            rows.append((name, version, integrity, PACKAGES / folder, files))
    return rows


def installed(folder: Path, stamp: str, files: list[str]) -> bool:
    marker = folder / STAMP
    return (
        marker.exists()
        and marker.read_text().strip() == stamp
        and all((folder / Path(name).name).exists() for name in files)
    )


def fetch(name: str, version: str, integrity: str) -> bytes:
    tail = name.rsplit("/", 1)[-1]
    url = f"{REGISTRY}/{name}/-/{tail}-{version}.tgz"
    # The registry is the https constant above: no other scheme can reach urlopen.
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
        data = response.read()
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SystemExit(f"{name}: only sha512 integrity is accepted, not {algorithm}")
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != expected:
        raise SystemExit(f"{name} {version}: the download does not match its pinned sha512")
    return data


def unpack(data: bytes, folder: Path, files: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in files:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{name} is not a file in the package")
            (folder / Path(name).name).write_bytes(member.read())


def main() -> int:
    for name, version, integrity, folder, files in pins():
        stamp = f"{name}@{version} {integrity}"
        if installed(folder, stamp, files):
            continue
        print(f"Fetching {name} {version} from the npm registry")
        try:
            data = fetch(name, version, integrity)
        except OSError as error:
            print(
                f"Could not fetch {name} {version} ({error}): charts show as tables only "
                "until set-up runs again with a network.",
                file=sys.stderr,
            )
            continue
        unpack(data, folder, files)
        (folder / STAMP).write_text(stamp + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
