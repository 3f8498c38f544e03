#!/bin/sh
# seklik-postgres-entrypoint [postgres ARGS...]
# On first start (no $PGDATA/PG_VERSION): initdb with POSTGRES_USER as the superuser and
# POSTGRES_PASSWORD (scram-sha-256 over TCP; the unix socket inside the container is trust, as
# in the official image), create POSTGRES_DB. Then exec the server, listening on every address
# of the container. The password goes through a file, never a command line.
set -eu

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"

if [ "${1:-postgres}" != postgres ]; then
    exec "$@"
fi
[ $# -gt 0 ] && shift

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "seklik-postgres: POSTGRES_PASSWORD is required to create the cluster" >&2
        exit 64
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    printf "listen_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' \
        >>"$PGDATA/pg_hba.conf"
    # A server on the socket only while the database is made: nobody reaches it half-made.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w -s start
    if [ "$POSTGRES_DB" != postgres ]; then
        printf 'CREATE DATABASE :"db";\n' | psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" \
            -d postgres -v db="$POSTGRES_DB"
    fi
    pg_ctl -D "$PGDATA" -m fast -w -s stop
fi

exec postgres "$@"
