#!/usr/bin/env bash
# The resilience gate on the Docker backend, as CI runs it (./dev docker-gate [pytest args]):
#   1. scripts/docker-setup.sh (idempotent: tools, dockerd, images)
#   2. CHAOS_DOCKER=1 pytest of the backend's quick tests (reaper, engine errors, compose files)
#   3. pytest -m 'chaos and not crowd' --chaos-backend docker -n 2   (the matrix + partition)
#   4. ALWAYS (exit, Ctrl-C, TERM): remove every container/network this run labelled and stop
#      the dockerd that this run's setup started (never one that was running before).
# Every run id of this run is "docker-gate:run-..." (AUTH_CHAOS_SCOPE). Once its pytest
# processes are gone, what it labelled is an orphan of that scope: the end of the run removes
# those (a concurrent run's objects have a live owner and stay); a run killed with SIGKILL is
# reaped by the next run (pytest reaps orphan containers and orphan processes of its scope).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py="$root/.venv/bin/python"
state="${AUTH_CHAOS_DOCKER_STATE:-$root/.chaos-run/docker}"
owner_file="$state/dockerd.gate-owner"  # pid of the docker-gate run that owns the dockerd
scope="docker-gate"
export AUTH_CHAOS_SCOPE="$scope"
mkdir -p "$state"

say() { echo "docker-gate: $*"; }
now() { date +%s; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Whose dockerd is it? Ours when none answered before the setup, or when the one answering was
# started by the setup script for a docker-gate run that is gone (killed with SIGKILL).
own_dockerd=0
if ! docker info >/dev/null 2>&1; then
    own_dockerd=1
elif alive "$(cat "$owner_file" 2>/dev/null || true)"; then
    own_dockerd=0  # another docker-gate run is using it: leave it to that run
elif [ -s "$owner_file" ] && alive "$(cat "$state/dockerd.pid" 2>/dev/null || true)"; then
    say "adopting dockerd $(cat "$state/dockerd.pid") left by a killed docker-gate run"
    own_dockerd=1
fi

child=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if alive "$child"; then  # interrupted: stop pytest and its xdist workers (own session)
        say "stopping pytest (process group $child)"
        kill -TERM -- "-$child" 2>/dev/null
        local deadline=$(( $(now) + 30 ))
        while alive "$child" && [ "$(now)" -lt "$deadline" ]; do sleep 0.2; done  # exit poll
        kill -KILL -- "-$child" 2>/dev/null
    fi
    # local processes (the negative control's service) of a pytest that could not clean up
    "$py" -c 'import sys; from chaos.services import reap_orphans
print(f"docker-gate: orphan processes reaped {len(reap_orphans(sys.argv[1]))}")' "$scope" || status=1
    if docker info >/dev/null 2>&1; then
        "$py" -m chaos.docker_backend reap --orphans --scope "$scope" | sed 's/^/docker-gate: /'
        [ "${PIPESTATUS[0]}" = 0 ] || status=1
        local left
        left=$(docker ps -aq --filter "label=auth-chaos.run" | wc -l)
        say "labelled containers left on this engine: $left"
    fi
    if [ "$own_dockerd" = 1 ]; then
        bash scripts/docker-setup.sh --stop-dockerd || status=1
        rm -f "$owner_file"
    else
        say "leaving the dockerd that was running before this run"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$(now)
bash scripts/docker-setup.sh
[ "$own_dockerd" = 1 ] && echo $$ > "$owner_file"
t_setup=$(( $(now) - t0 ))

# own session: an interrupt stops the whole group (controller and xdist workers); run in the
# background so that the INT/TERM traps fire at once instead of after pytest returns
run_pytest() {
    setsid "$py" -m pytest "$@" < /dev/null &
    child=$!
    local rc=0
    wait "$child" || rc=$?
    child=""
    return "$rc"
}

# the backend's quick tests first (20 s): the reaper this script relies on, engine errors,
# the compose files' loopback-only ports and labels
t1=$(now)
quick=(tests/docker/test_reaper.py tests/docker/test_engine_errors.py tests/docker/test_compose_config.py)
say "CHAOS_DOCKER=1 pytest ${quick[*]}"
quick_rc=0
CHAOS_DOCKER=1 run_pytest -p no:xdist -q "${quick[@]}" || quick_rc=$?
t_quick=$(( $(now) - t1 ))

t2=$(now)
# the crowd scenario (1,000 virtual users) measures the service under load; it runs on the
# local backend only, and every fault kind it uses is covered by the matrix here
say "pytest -m 'chaos and not crowd' --chaos-backend docker -n 2 $*"
gate_rc=0
run_pytest -m "chaos and not crowd" --chaos-backend docker -n 2 "$@" || gate_rc=$?
say "setup ${t_setup} s, backend tests ${t_quick} s (exit $quick_rc), gate $(( $(now) - t2 )) s (exit $gate_rc)"
[ "$quick_rc" = 0 ] || exit "$quick_rc"
exit "$gate_rc"
