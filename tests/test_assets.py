"""The set-up's fetch of browser libraries (scripts/assets.py): a tarball is unpacked only
when it matches the sha512 pinned beside its version, and not fetched again once there."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import tarfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "assets.py"


@pytest.fixture
def assets():
    spec = importlib.util.spec_from_file_location("assets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def pin(tmp_path, assets, monkeypatch, data: bytes, integrity: str) -> list[str]:
    pins = tmp_path / "npm.txt"
    pins.write_text(f"# pins\nlib 1.0.0 {integrity} out dist/lib.js\n")
    monkeypatch.setattr(assets, "PINS", pins)
    monkeypatch.setattr(assets, "PACKAGES", tmp_path)
    fetched = []

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(url, timeout):
        fetched.append(url)
        return Response(data)

    monkeypatch.setattr(assets.urllib.request, "urlopen", urlopen)
    return fetched


def sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_a_matching_tarball_is_unpacked_once(tmp_path, assets, monkeypatch):
    data = tarball({"dist/lib.js": b"window.Lib = 1;", "src/other.js": b"no"})
    fetched = pin(tmp_path, assets, monkeypatch, data, sha512(data))
    assert assets.main() == 0
    assert (tmp_path / "out" / "lib.js").read_bytes() == b"window.Lib = 1;"
    assert not (tmp_path / "out" / "other.js").exists()
    assert fetched == ["https://registry.npmjs.org/lib/-/lib-1.0.0.tgz"]
    assert assets.main() == 0
    assert len(fetched) == 1  # offline from now on


def test_a_tarball_that_does_not_match_its_pin_is_refused(tmp_path, assets, monkeypatch):
    data = tarball({"dist/lib.js": b"window.Lib = 'tampered';"})
    pin(tmp_path, assets, monkeypatch, data, sha512(b"what was pinned"))
    with pytest.raises(SystemExit, match="does not match its pinned sha512"):
        assets.main()
    assert not (tmp_path / "out" / "lib.js").exists()
