#!/usr/bin/env bash
# servers.sh - the test fixture: a private PostgreSQL 15 cluster and a Redis on
# free loopback ports, everything under one state directory.
#
#   servers.sh up <statedir>     start both, write <statedir>/env, exit 0
#   servers.sh down <statedir>   stop both and remove <statedir> (idempotent)
#
# <statedir>/env holds KEY=VALUE lines (values unquoted, may contain spaces):
#   SEKLIK_TEST_PG_DSN      host=127.0.0.1 port=N dbname=seklik user=seklik
#   SEKLIK_TEST_PG_PORT, SEKLIK_TEST_PG_BIN, SEKLIK_TEST_PG_USER (unix user
#   running the server), SEKLIK_TEST_PG_ROLE (database superuser),
#   SEKLIK_TEST_PG_DATA, SEKLIK_TEST_PG_SOCKDIR, SEKLIK_TEST_PG_LOG,
#   SEKLIK_TEST_REDIS_URL   redis://seklik:PASSWORD@127.0.0.1:M/0
#   SEKLIK_TEST_REDIS_PORT, SEKLIK_TEST_REDIS_LOG,
#   SEKLIK_TEST_REDIS_USER, SEKLIK_TEST_REDIS_PASSWORD, SEKLIK_TEST_REDIS_ACL
#   (the ACL file, for a test's own Redis: sk_test_redis_start)
#
# Redis asks for a password as it does under scripts/up (sk_redis_write_acl):
# the default user is off, so every test goes through AUTH as `seklik`, with
# the cache's commands only, plus FLUSHALL and EXISTS for the tests themselves.
#
# PostgreSQL keeps fsync on (benchmarks compare against pgbench on it) and
# trusts TCP connections from 127.0.0.1 (a private, loopback-only cluster).
# When the PostgreSQL user cannot reach <statedir> (e.g. it is under /root),
# the cluster lives in a directory under /tmp instead, recorded in
# <statedir>/pgroot and removed by `down`.
#
# SEKLIK_TEST_KEEP_STATE=1 makes `down` stop the servers but keep <statedir>
# (logs) for a post-mortem.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$here/../../scripts/lib.sh"

readonly MARKER=.seklik-servers
readonly ROLE=seklik
readonly DBNAME=seklik

usage() {
    echo "usage: $0 up|down <statedir>" >&2
    exit 2
}

# Where the cluster of `state` lives (statedir/pg, or the /tmp fallback).
pgroot_of() {
    local state=$1
    if [[ -s $state/pgroot ]]; then
        cat "$state/pgroot"
    else
        printf '%s\n' "$state/pg"
    fi
}

# Stop whatever runs out of `state`; leaves the files.
stop_all() {
    local state=$1 pgroot
    pgroot=$(pgroot_of "$state")
    sk_redis_stop "$state/redis"
    sk_pg_stop "$pgroot/data"
}

cmd_down() {
    local state=$1
    if [[ ! -e $state ]]; then
        return 0
    fi
    [[ -d $state ]] || sk_die "$state is not a directory"
    if [[ ! -e $state/$MARKER ]]; then
        if [[ -z $(ls -A "$state") ]]; then
            rmdir "$state"
            return 0
        fi
        sk_die "$state was not made by servers.sh up (no $MARKER); refusing to touch it"
    fi
    stop_all "$state"
    if [[ ${SEKLIK_TEST_KEEP_STATE:-} == 1 ]]; then
        echo "servers.sh: stopped; kept $state (SEKLIK_TEST_KEEP_STATE=1)"
        return 0
    fi
    local pgroot
    pgroot=$(pgroot_of "$state")
    if [[ $pgroot != "$state/pg" && -e $pgroot/$MARKER ]]; then
        rm -rf -- "$pgroot"
    fi
    rm -rf -- "$state"
    echo "servers.sh: stopped and removed $state"
}

# On a failed `up`: stop what was started, keep the logs, say where they are.
up_failed() {
    local state=$1
    trap - EXIT
    stop_all "$state" || true
    echo "servers.sh: up failed; servers stopped; logs kept in $state (and $(pgroot_of "$state"))" >&2
    exit 1
}

cmd_up() {
    local state=$1
    sk_pg_check_tools
    command -v redis-server >/dev/null || sk_die "redis-server not found (install redis-server)"
    command -v redis-cli >/dev/null || sk_die "redis-cli not found (install redis-tools)"

    mkdir -p "$state"
    if [[ -e $state/$MARKER ]]; then
        # Left over from an earlier run that was never taken down: start clean.
        (SEKLIK_TEST_KEEP_STATE='' cmd_down "$state" >/dev/null)
        mkdir -p "$state"
    elif [[ -n $(ls -A "$state") ]]; then
        sk_die "$state is not empty; give servers.sh an empty (or new) directory"
    fi
    : >"$state/$MARKER"
    chmod 755 "$state"
    trap 'up_failed "$state"' EXIT

    # --- PostgreSQL -------------------------------------------------------
    local pgroot=$state/pg
    if ! sk_pg_can_reach "$state"; then
        pgroot=$(mktemp -d /tmp/seklik-pg.XXXXXX)
        : >"$pgroot/$MARKER"
        chmod 755 "$pgroot"
        printf '%s\n' "$pgroot" >"$state/pgroot"
    fi
    local data=$pgroot/data log=$pgroot/postgresql.log sockdir
    sockdir=$(sk_pg_sockdir_for "$pgroot")
    mkdir -p "$pgroot"
    chmod 755 "$pgroot"
    sk_pg_own_dir "$data"
    sk_pg_init "$data" "$ROLE"

    local pg_port rc attempt
    for attempt in 1 2 3 4 5; do
        pg_port=$(sk_free_port)
        sk_pg_write_conf "$data" "$pg_port" "$sockdir"
        rc=0
        sk_pg_start "$data" "$log" || rc=$?
        ((rc == 0)) && break
        ((rc == 2)) || sk_die "PostgreSQL did not start (log: $log)"
        sk_warn "port $pg_port was taken before PostgreSQL bound it; trying another"
    done
    ((rc == 0)) || sk_die "PostgreSQL: no free port after $attempt attempts"
    sk_pg_wait "$pg_port" 30 || sk_die "PostgreSQL on port $pg_port does not answer (log: $log)"
    sk_pg_ensure_db "$pg_port" "$ROLE" "$DBNAME"

    # --- Redis ------------------------------------------------------------
    local redis_dir=$state/redis redis_port redis_password acl=$state/redis-users.acl
    redis_password=$(sk_redis_new_password)
    sk_redis_write_acl "$acl" "$redis_password" +flushall +exists +pttl +strlen
    for attempt in 1 2 3 4 5; do
        redis_port=$(sk_free_port)
        [[ $redis_port == "$pg_port" ]] && continue
        rc=0
        sk_redis_start "$redis_dir" "$redis_port" "$acl" || rc=$?
        ((rc == 0)) && break
        ((rc == 2)) || sk_die "Redis did not start (log: $redis_dir/redis.log)"
        sk_warn "port $redis_port was taken before Redis bound it; trying another"
    done
    ((rc == 0)) || sk_die "Redis: no free port after $attempt attempts"

    # --- env --------------------------------------------------------------
    cat >"$state/env.tmp" <<EOF
SEKLIK_TEST_PG_DSN=host=127.0.0.1 port=$pg_port dbname=$DBNAME user=$ROLE
SEKLIK_TEST_PG_PORT=$pg_port
SEKLIK_TEST_PG_BIN=$SK_PG_BIN
SEKLIK_TEST_PG_USER=$(sk_pg_user)
SEKLIK_TEST_PG_ROLE=$ROLE
SEKLIK_TEST_PG_DATA=$data
SEKLIK_TEST_PG_SOCKDIR=$sockdir
SEKLIK_TEST_PG_LOG=$log
SEKLIK_TEST_REDIS_URL=redis://$SK_REDIS_USER:$redis_password@127.0.0.1:$redis_port/0
SEKLIK_TEST_REDIS_PORT=$redis_port
SEKLIK_TEST_REDIS_LOG=$redis_dir/redis.log
SEKLIK_TEST_REDIS_USER=$SK_REDIS_USER
SEKLIK_TEST_REDIS_PASSWORD=$redis_password
SEKLIK_TEST_REDIS_ACL=$acl
EOF
    chmod 600 "$state/env.tmp"
    mv "$state/env.tmp" "$state/env"
    trap - EXIT
    echo "servers.sh: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port; env in $state/env"
}

(($# == 2)) || usage
[[ -n $2 ]] || usage
statedir=$(realpath -m -- "$2")
[[ $statedir != / ]] || sk_die "refusing to use / as the state directory"
case $1 in
up) cmd_up "$statedir" ;;
down) cmd_down "$statedir" ;;
*) usage ;;
esac
