# Sourced by scripts/run and scripts/test: creates or updates .venv from the pinned
# requirements, reinstalling only when a requirements file or pyproject.toml changed.
set -euo pipefail

ensure_venv() {
  local requirements="$1"
  local python="${CLIENTELA_PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Clientela needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv"
    "$python" -m venv .venv || {
      echo "Could not create a virtual environment: on Debian, install python3-venv." >&2
      exit 1
    }
  fi
  # One stamp per requirements file; dev.txt includes base.txt, so a current dev
  # install also satisfies a request for base.
  local wanted
  wanted="$(cat requirements/*.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
  local stamp=".venv/.installed-$(basename "$requirements" .txt)"
  if [ "$(cat .venv/.installed-dev 2>/dev/null)" = "$wanted" ]; then
    ensure_assets
    return 0
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing dependencies from $requirements"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
    echo "$wanted" > "$stamp"
  fi
  ensure_assets
}

# The browser libraries pinned in requirements/npm.txt (Chart.js), fetched from the npm
# registry and checked against their sha512 once; offline afterwards.
ensure_assets() {
  .venv/bin/python scripts/assets.py
}
