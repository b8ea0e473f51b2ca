#!/usr/bin/env bash
# Idempotent Docker setup for machines with no image registry (see docs/docker.md):
#   scripts/docker-setup.sh                 install tools, start dockerd if needed, build images
#   scripts/docker-setup.sh --stop-dockerd  stop the dockerd this script started (pid file)
# Images: auth-chaos/base:bookworm (mmdebstrap, cached), auth-chaos/redis:local,
# auth-chaos/prometheus:local (both metadata on the base) and auth-chaos/app:local (the project,
# installed offline from wheels built on the host).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state="${AUTH_CHAOS_DOCKER_STATE:-$root/.chaos-run/docker}"
base_image="auth-chaos/base:bookworm"
mirror="${AUTH_CHAOS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# what the containers run: Python for the workers and the embedded proxy, Redis and Sentinel,
# Prometheus (the monitoring profile)
base_packages="python3,python3-venv,redis-server,redis-sentinel,redis-tools,ca-certificates,netbase,prometheus"
dockerd_wait="${AUTH_CHAOS_DOCKERD_WAIT:-60}"
mkdir -p "$state"
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "docker-setup: $*"; }

stop_dockerd() {
    pidfile="$state/dockerd.pid"
    if [ ! -s "$pidfile" ]; then say "no dockerd started by this script ($pidfile absent)"; return 0; fi
    pid=$(cat "$pidfile")
    if ! kill -0 "$pid" 2>/dev/null; then say "dockerd $pid already gone"; rm -f "$pidfile"; return 0; fi
    $sudo kill -TERM "$pid"
    deadline=$(( $(date +%s) + 30 ))
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            say "dockerd $pid did not stop within 30 s; log: $state/dockerd.log" >&2; exit 1
        fi
        # polling a process exit: no readiness signal exists for "gone"
        sleep 0.2
    done
    rm -f "$pidfile"
    say "stopped dockerd $pid"
}

if [ "${1:-}" = "--stop-dockerd" ]; then stop_dockerd; exit 0; fi
if [ $# -gt 0 ]; then echo "docker-setup: unknown argument '$1' (try: --stop-dockerd)" >&2; exit 2; fi

t_all=$(now)

# 1. Debian packages, only those whose command is missing.
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v iptables >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
    t=$(now)
    say "installing ${need[*]} with apt"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >"$state/apt.log" 2>&1 || {
        say "apt-get install failed; last lines of its log:" >&2; tail -n 20 "$state/apt.log" >&2; exit 1; }
    say "apt: $(since "$t") s"
fi

# 2. The engine: start dockerd in its own session when `docker info` does not answer.
if ! docker info >/dev/null 2>&1; then
    t=$(now)
    say "starting dockerd (log: $state/dockerd.log)"
    $sudo setsid dockerd >"$state/dockerd.log" 2>&1 < /dev/null &
    echo $! > "$state/dockerd.pid"
    deadline=$(( $(date +%s) + dockerd_wait ))
    until docker info >/dev/null 2>&1; do
        if ! kill -0 "$(cat "$state/dockerd.pid")" 2>/dev/null; then
            say "dockerd exited; last lines of its log:" >&2; tail -n 20 "$state/dockerd.log" >&2; exit 1
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            say "dockerd not ready after ${dockerd_wait} s; last lines of its log:" >&2
            tail -n 20 "$state/dockerd.log" >&2; exit 1
        fi
        sleep 0.2  # poll interval of the readiness check above, not a readiness wait
    done
    say "dockerd ready: $(since "$t") s"
fi

# 3. Base image from mmdebstrap, only when missing or made from another package list (the image
# store is the cache, its label the key), built in the background while step 4 builds the
# wheels (one waits on the mirror and dpkg, the other on PyPI).
base_pid=""
base_label='{{ index .Config.Labels "auth-chaos.base-packages" }}'
if [ "$(docker image inspect --format "$base_label" "$base_image" 2>/dev/null)" != "$base_packages" ]; then
    t_base=$(now)
    say "mmdebstrap bookworm | docker import (log: $state/mmdebstrap.log)"
    # mmdebstrap (not debootstrap): apt downloads in parallel and one dpkg run configures all,
    # half the time of debootstrap here; unsafe-io: no fsync for a tree that becomes a tarball
    (
        set -o pipefail
        $sudo mmdebstrap --quiet --variant=minbase --include="$base_packages" \
            --dpkgopt=force-unsafe-io --dpkgopt='path-exclude=/usr/share/doc/*' \
            --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
            bookworm - "$mirror" 2>"$state/mmdebstrap.log" \
        | docker import --change 'ENV LANG=C.UTF-8' --change 'LABEL auth-chaos.image=base' \
            --change "LABEL auth-chaos.base-packages=$base_packages" \
            - "$base_image" >/dev/null 2>>"$state/mmdebstrap.log"
    ) &
    base_pid=$!
else
    say "base image $base_image present (cached)"
fi
wait_base() {
    [ -n "$base_pid" ] || return 0
    if ! wait "$base_pid"; then
        say "building $base_image failed; last lines of its log:" >&2
        tail -n 20 "$state/mmdebstrap.log" >&2; exit 1
    fi
    base_pid=""
    say "base image $base_image: $(since "$t_base") s"
}
# an early exit (a failed wheel build, Ctrl-C) must not leave the background build running:
# stop mmdebstrap and docker import (the subshell's children), then reap the subshell
stop_base() { [ -z "$base_pid" ] || { pkill -TERM -P "$base_pid" || true; wait "$base_pid" || true; }; }
trap stop_base EXIT

# 4. Project images: wheels built on the host, installed offline in the image (no CA problems).
# The dependencies are the locked runtime ones (requirements/runtime.txt, hash-checked).
t=$(now)
context="$state/context"
mkdir -p "$context/wheels"
# setuptools reuses build/lib: a module deleted from the tree would still ship in the wheel
rm -rf "$root/build"
py="$root/.venv/bin/python"
[ -x "$py" ] || py=python3
# the image's Python is Debian's 3.11.2: pins whose marker the host's Python fails but 3.11.2
# passes (async-timeout, python_full_version < '3.11.3') are added with their marker dropped
image_reqs="$context/requirements.txt"
cp requirements/runtime.txt "$image_reqs"
awk '/^[a-z]/ { keep = ($0 ~ /python_full_version < .3\.11\.3./) } keep' requirements/runtime.txt \
    | sed -E 's/ ;[^\\]*\\$/ \\/' > "$context/for-3.11.2.txt"
grep -q '^async-timeout==' "$context/for-3.11.2.txt" || {
    say "requirements/runtime.txt has no async-timeout pin for Debian's Python 3.11.2" >&2; exit 1; }
wheel() { "$py" -m pip wheel -q --require-hashes --no-deps --find-links "$context/wheels" \
    -w "$context/wheels" "$@" -r "$image_reqs" -r "$context/for-3.11.2.txt" >"$state/wheels.log" 2>&1; }
# offline first: the cached wheels usually satisfy everything; PyPI only when they do not
wheel --no-index || wheel || {
    say "pip wheel failed; last lines of its log:" >&2; tail -n 20 "$state/wheels.log" >&2; exit 1; }
# wheels of pins the lock no longer has would be installed too: keep only the locked ones
"$py" - "$context/wheels" "$image_reqs" "$context/for-3.11.2.txt" <<'PY'
import re, sys
from pathlib import Path
from packaging.utils import canonicalize_name, parse_wheel_filename
pins = set()
for req in sys.argv[2:]:
    for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", Path(req).read_text(), re.M):
        pins.add((canonicalize_name(m.group(1)), m.group(2)))
for whl in Path(sys.argv[1]).glob("*.whl"):
    name, version, _, _ = parse_wheel_filename(whl.name)
    if (name, str(version)) not in pins:
        whl.unlink()
PY
# the project apart from its dependencies: a code change leaves the dependency layer cached
rm -rf "$context/project"; mkdir -p "$context/project"
"$py" -m pip wheel -q --no-deps --no-build-isolation -w "$context/project" "$root" \
    >>"$state/wheels.log" 2>&1 || {
    say "building the project's wheel failed; last lines of its log:" >&2
    tail -n 20 "$state/wheels.log" >&2; exit 1; }
cp docker/app-offline.Dockerfile docker/redis.Dockerfile docker/prometheus-offline.Dockerfile \
    "$context/"
say "wheels: $(since "$t") s ($(ls "$context/wheels" | wc -l) dependencies)"
wait_base
trap - EXIT

# 5. The project images at once (Redis and Prometheus are metadata only; the app one runs pip).
t=$(now)
builds=()
for image in redis app prometheus; do
    case "$image" in
        redis) dockerfile="$context/redis.Dockerfile" ;;
        app) dockerfile="$context/app-offline.Dockerfile" ;;
        prometheus) dockerfile="$context/prometheus-offline.Dockerfile" ;;
    esac
    docker build --force-rm -t "auth-chaos/$image:local" -f "$dockerfile" "$context" \
        >"$state/build-$image.log" 2>&1 &
    builds+=("$image:$!")
done
failed=0
for build in "${builds[@]}"; do
    image=${build%%:*}
    wait "${build#*:}" && continue
    failed=1
    say "building auth-chaos/$image:local failed; last lines of its log:" >&2
    tail -n 20 "$state/build-$image.log" >&2
done
[ "$failed" = 0 ] || exit 1
# the images the rebuilds replaced (untagged, ours only)
docker image prune -f --filter label=auth-chaos.image >/dev/null
say "project images auth-chaos/redis:local, auth-chaos/app:local, auth-chaos/prometheus:local: $(since "$t") s"
say "ready in $(since "$t_all") s: $(docker version --format 'engine {{.Server.Version}}'), $(docker-compose version --short 2>/dev/null || echo 'no docker-compose')"
