#!/usr/bin/env bash
# with_stack.sh BUILD_DIR STACK_BIN DB_NAME CMD [ARGS...] - run CMD against a
# fresh whole system: start seklik-test-stack (all seven services on the
# fixture's PostgreSQL and Redis, demo users created), wait until it wrote its
# env file, run CMD with that environment (SEKLIK_GATEWAY_URL, SEKLIK_DB_DSN,
# ...), then stop the stack. Fails when CMD fails or when any service did not
# stop cleanly (exit 0 after SIGTERM).
set -euo pipefail
build=$1 stack_bin=$2 db=$3
shift 3

logs=$build/test-logs
mkdir -p "$logs"
envfile=$logs/stack-$db.env
rm -f "$envfile"

"$stack_bin" "$build" "$logs" "$envfile" "$db" &
stack=$!
stop_stack() {
    kill -TERM "$stack" 2>/dev/null || true
    local rc=0
    wait "$stack" || rc=$?
    return "$rc"
}
trap 'stop_stack || true' EXIT

for _ in $(seq 1 900); do
    [[ -s $envfile ]] && break
    kill -0 "$stack" 2>/dev/null || { echo "with_stack: the stack exited during start-up; logs in $logs/stack-*.log" >&2; exit 1; }
    sleep 0.1
done
[[ -s $envfile ]] || { echo "with_stack: the stack was not ready in 90 s; logs in $logs" >&2; exit 1; }
set -a
# shellcheck disable=SC1090
. "$envfile"
set +a

rc=0
"$@" || rc=$?
trap - EXIT
src=0
stop_stack || src=$?
((src == 0)) || echo "with_stack: the stack did not stop cleanly (exit $src); logs in $logs/stack-*.log" >&2
((rc == 0)) || exit "$rc"
exit "$src"
