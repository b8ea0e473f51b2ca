#!/usr/bin/env bash
# Idempotent setup for a fresh Debian/Ubuntu machine: apt packages, .venv, Python dependencies.
# Needs only Python 3.11+ and apt beforehand. Installs into the project's own .venv only:
# PyPI has unrelated distributions named "chaos" and "fixtures", never put ours in a shared env.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
say() { [ "$quiet" = 1 ] || echo "setup: $*"; }

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "setup: Python 3.11+ is required (PYTHON=$python)" >&2; exit 1
fi

# Debian packages: only when a command is missing, so a prepared machine pays nothing.
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-sentinel >/dev/null || need+=(redis-sentinel)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v wrk >/dev/null || need+=(wrk)
# Prometheus (with promtool): the monitoring tests and --chaos-prometheus start their own
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
"$python" -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "setup: installing ${need[*]} with apt"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # Debian starts the packaged services where systemd runs; the suite starts its own, on free ports.
    for svc in redis-server redis-sentinel prometheus; do
        if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
            $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
        elif [ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" status >/dev/null 2>&1; then
            $sudo "/etc/init.d/$svc" stop >/dev/null 2>&1 || true  # no systemd: its init script
        fi
    done
fi

if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    "$python" -m venv .venv
fi
# Python dependencies from the lock (uv.lock, exported with hashes to requirements/dev.txt):
# first the locked uv, pip and setuptools (hash-checked by pip), then uv makes .venv exactly the
# lock (hash-checked; what the lock lacks is removed) and installs the project, editable, with
# the locked setuptools. Redone whenever the lock or pyproject.toml changes. Installed with
# their bytecode (uv writes none by default): with PYTHONDONTWRITEBYTECODE set, as it is on
# CI machines, every process would otherwise compile FastAPI, redis-py... from source again:
# 2.3 s of CPU for each service worker started, against 0.9 s.
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
stamp=".venv/.auth-chaos-installed"
want=$( (cat requirements/dev.txt pyproject.toml; echo "with bytecode") | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing the locked Python dependencies into .venv"
    tools=$(mktemp); trap 'rm -f "$tools"' EXIT
    # the blocks of uv, pip and setuptools (a pin line and its hash lines) from the export
    awk '/^[a-z]/ { keep = ($1 ~ /^(uv|pip|setuptools)==/) } keep' requirements/dev.txt > "$tools"
    .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
        -r "$tools"
    .venv/bin/uv pip sync -q --python .venv/bin/python --require-hashes --compile-bytecode \
        requirements/dev.txt
    .venv/bin/uv pip install -q --python .venv/bin/python --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
fi
# the checkout's own packages too (each run: only what changed is compiled again; a stale
# .pyc is never used, Python checks the source's mtime)
.venv/bin/python -m compileall -q -j 0 system_under_test chaos fixtures benchmarks examples \
    tests > /dev/null
say "ready: $(redis-server --version | cut -d' ' -f1-3), $(prometheus --version 2>&1 | head -1 | cut -d' ' -f1-3), $(.venv/bin/python --version)"
