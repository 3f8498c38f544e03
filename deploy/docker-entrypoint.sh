#!/bin/sh
# seklik-entrypoint SERVICE [ARGS...]
# Runs /usr/local/bin/seklik-SERVICE with ARGS (exec: the service is PID 1 and gets the signals).
# Without a SERVICE argument, uses the default baked in by `--build-arg SEKLIK_SERVICE=...`.
set -eu

bindir=/usr/local/bin
service=''
if [ $# -gt 0 ] && [ -n "$1" ] && [ -x "$bindir/seklik-$1" ] && [ "$1" != entrypoint ]; then
    service=$1
    shift
elif [ -r /etc/seklik/default-service ]; then
    service=$(cat /etc/seklik/default-service)
fi

if [ -z "$service" ] || [ ! -x "$bindir/seklik-$service" ] || [ "$service" = entrypoint ]; then
    echo "usage: seklik-entrypoint SERVICE [ARGS...]" >&2
    printf 'services in this image:' >&2
    for bin in "$bindir"/seklik-*; do
        name=${bin#"$bindir"/seklik-}
        [ "$name" = entrypoint ] || printf ' %s' "$name" >&2
    done
    echo >&2
    exit 64
fi

exec "$bindir/seklik-$service" "$@"
