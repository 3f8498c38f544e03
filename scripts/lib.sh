# shellcheck shell=bash disable=SC2034  # arrays and colours are used by the sourcing scripts
# scripts/lib.sh - shell functions shared by scripts/up, scripts/test and
# tests/support/servers.sh. Source it from bash (set -euo pipefail); it defines
# functions and a few arrays and runs nothing.
#
# A private PostgreSQL cluster always runs as an unprivileged user: `postgres`
# when the caller is root (initdb refuses root), the caller itself otherwise.
# Redis runs as the caller. Everything binds 127.0.0.1 only (or a unix socket).

# ---------------------------------------------------------------------------
# Output

if [[ -t 1 && -z ${CI:-} && -z ${NO_COLOR:-} ]]; then
    SK_BOLD=$'\e[1m' SK_RED=$'\e[31m' SK_GREEN=$'\e[32m' SK_YELLOW=$'\e[33m' SK_RESET=$'\e[0m'
else
    SK_BOLD='' SK_RED='' SK_GREEN='' SK_YELLOW='' SK_RESET=''
fi

sk_say()  { printf '%s==>%s %s\n' "$SK_BOLD" "$SK_RESET" "$*"; }
sk_warn() { printf '%swarning:%s %s\n' "$SK_YELLOW" "$SK_RESET" "$*" >&2; }
sk_die()  { printf '%serror:%s %s\n' "$SK_RED" "$SK_RESET" "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr, indented, if it exists.
sk_tail_log() {
    local file=$1 lines=${2:-20}
    [[ -s $file ]] || return 0
    printf '    --- last %s lines of %s ---\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" | sed 's/^/    /' >&2
}

# ---------------------------------------------------------------------------
# Debian packages

SK_PKGS_BUILD=(cmake make gcc clang pkg-config libnng-dev libprotobuf-c-dev protobuf-c-compiler
    libprotobuf-dev libuv1-dev libhiredis-dev libpq-dev libcjson-dev libsodium-dev libcmocka-dev
    libmicrohttpd-dev libclang-rt-14-dev libcmark-dev libcurl4-openssl-dev libqpdf-dev)
SK_PKGS_SERVERS=(postgresql-15 redis-server)
# Used by the scripts themselves (free ports, readiness probes).
SK_PKGS_SCRIPTS=(python3 curl)
SK_PKGS_TEST=(yamllint python3-yaml nginx-light wrk gdb python3-aiosmtpd)
# Node.js builds the web UI; a machine may already have it from elsewhere.
command -v npm >/dev/null 2>&1 || SK_PKGS_BUILD+=(nodejs npm)
# The browser tests' Chromium (~650 MB), installed only by scripts/test.
SK_PKGS_BROWSER=(chromium)
# The container test (tests/deploy/containers.py), installed only by scripts/test: podman with
# runc (crun refuses hybrid cgroups), netavark and aardvark-dns (networks with names),
# podman-compose, and mmdebstrap for a Debian base image when no registry is reachable.
SK_PKGS_CONTAINERS=(podman runc netavark aardvark-dns iptables podman-compose mmdebstrap)

# Print the packages among "$@" that are not installed, one per line.
sk_missing_packages() {
    local p status
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [[ $status == installed ]] || printf '%s\n' "$p"
    done
}

# Install those of "$@" that are missing (apt-get, as root).
sk_ensure_packages() {
    command -v dpkg-query >/dev/null || sk_die "dpkg-query not found: these scripts expect Debian 12"
    local missing
    mapfile -t missing < <(sk_missing_packages "$@")
    if ((${#missing[@]} == 0)); then
        sk_say "Debian packages: all $# present"
        return 0
    fi
    if ((EUID != 0)); then
        sk_die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
    fi
    sk_say "Installing ${#missing[@]} missing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || sk_die "apt-get update failed"
    apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" >/dev/null ||
        sk_die "apt-get install failed for: ${missing[*]}"
    mapfile -t missing < <(sk_missing_packages "$@")
    ((${#missing[@]} == 0)) || sk_die "still missing after apt-get install: ${missing[*]}"
}

# ---------------------------------------------------------------------------
# Processes and ports

# True when `pid` is a live (not zombie) process.
sk_alive() {
    local pid=$1 state
    [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/stat ]] || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ -n $state && $state != Z && $state != X ]]
}

# True when `pid` is alive and its command name is `comm` (guards against reused pids).
sk_alive_as() {
    local pid=$1 comm=$2
    sk_alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]]
}

# Wait up to `secs` seconds for `pid` to exit. Returns 1 if it is still alive.
sk_wait_gone() {
    local pid=$1 secs=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        sk_alive "$pid" || return 0
        sleep 0.1
    done
    ! sk_alive "$pid"
}

# True when something accepts TCP connections on 127.0.0.1:port.
sk_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Print a TCP port on 127.0.0.1 that is free right now, outside the kernel's
# ephemeral range: a port in it may become the source port of an outgoing
# connection before the server that was given it binds it.
sk_free_port() {
    local py p i
    py=$(command -v /usr/bin/python3 python3 2>/dev/null | head -n 1 || true)
    if [[ -n $py ]]; then
        p=$("$py" -c 'import random, socket
try:
    elo, ehi = map(int, open("/proc/sys/net/ipv4/ip_local_port_range").read().split())
except (OSError, ValueError):
    elo, ehi = 32768, 60999
lo, hi = (10000, elo - 1) if elo - 10000 >= 2000 else (ehi + 1, 65535) if 65535 - ehi >= 2000 else (1024, 65535)
for _ in range(1000):
    p = random.randint(lo, hi)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", p))
        print(p)
        break
    except OSError:
        pass
    finally:
        s.close()' 2>/dev/null || true)
        if [[ $p =~ ^[0-9]+$ ]]; then
            printf '%s\n' "$p"
            return 0
        fi
    fi
    for ((i = 0; i < 100; i++)); do     # no python: random ports below the ephemeral range
        p=$((20000 + RANDOM % 12000))
        sk_port_busy "$p" || { printf '%s\n' "$p"; return 0; }
    done
    sk_die "could not find a free TCP port on 127.0.0.1"
}

# ---------------------------------------------------------------------------
# PostgreSQL (private cluster)

SK_PG_BIN=${SEKLIK_PG_BIN:-/usr/lib/postgresql/15/bin}

# The unix user that runs PostgreSQL.
sk_pg_user() {
    if ((EUID == 0)); then
        printf '%s\n' "${SEKLIK_PG_OS_USER:-postgres}"
    else
        id -un
    fi
}

# Run a command as the PostgreSQL user, from / (its home may be unreadable).
sk_as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u "$(sk_pg_user)" -- "$@")
    else
        (cd / && "$@")
    fi
}

sk_pg_check_tools() {
    [[ -x $SK_PG_BIN/initdb && -x $SK_PG_BIN/pg_ctl ]] ||
        sk_die "PostgreSQL 15 not found in $SK_PG_BIN (install postgresql-15, or set SEKLIK_PG_BIN)"
    if ((EUID == 0)); then
        id -u "$(sk_pg_user)" >/dev/null 2>&1 ||
            sk_die "user '$(sk_pg_user)' does not exist (it comes with postgresql-15; or set SEKLIK_PG_OS_USER)"
    fi
}

# True when the PostgreSQL user can reach (search) directory `dir`.
sk_pg_can_reach() {
    sk_as_pg test -x "$1" 2>/dev/null
}

# Make directory `dir` (and nothing above it) owned by the PostgreSQL user, mode 700.
sk_pg_own_dir() {
    local dir=$1
    mkdir -p "$dir"
    if ((EUID == 0)); then
        chown "$(sk_pg_user):" "$dir"
    fi
    chmod 700 "$dir"
}

# A unix socket directory for PostgreSQL under `root`, or "" (no unix socket)
# when the path would be too long for a socket address (108 bytes).
sk_pg_sockdir_for() {
    local dir=$1/run
    if ((${#dir} > 90)); then
        printf '\n'
    else
        printf '%s\n' "$dir"
    fi
}

# sk_pg_init DATADIR ROLE [PASSWORD]
# initdb a cluster whose bootstrap superuser is ROLE. Without PASSWORD, TCP on
# 127.0.0.1 is `trust`; with it, scram-sha-256. Unix sockets are `trust` (the
# socket directory is private to the PostgreSQL user).
sk_pg_init() {
    local data=$1 role=$2 password=${3:-} parent log
    parent=$(dirname "$data")
    log=$parent/initdb.log
    local args=(-D "$data" -U "$role" -E UTF8 --locale=C.UTF-8 --auth-local=trust --no-instructions)
    if [[ -n $password ]]; then
        local pwfile=$parent/.initdb-pw
        (umask 077 && printf '%s\n' "$password" >"$pwfile")
        if ((EUID == 0)); then chown "$(sk_pg_user):" "$pwfile"; fi
        args+=(--auth-host=scram-sha-256 --pwfile="$pwfile")
    else
        args+=(--auth-host=trust)
    fi
    local rc=0
    sk_as_pg "$SK_PG_BIN/initdb" "${args[@]}" >"$log" 2>&1 || rc=$?
    rm -f "${pwfile:-}"
    if ((rc != 0)); then
        sk_tail_log "$log"
        sk_die "initdb failed for $data (see $log)"
    fi
    # Settings that never change live in postgresql.conf; port and socket
    # directory in seklik.conf, rewritten on every start.
    cat >>"$data/postgresql.conf" <<'EOF'

# --- SEKLIK private cluster ---
listen_addresses = '127.0.0.1'
max_connections = 200
fsync = on
include_if_exists = 'seklik.conf'
EOF
}

# sk_pg_write_conf DATADIR PORT SOCKDIR  (SOCKDIR may be "": no unix socket)
sk_pg_write_conf() {
    local data=$1 port=$2 sockdir=$3
    local conf=$data/seklik.conf
    {
        printf '# Written by scripts/lib.sh on every start; edits are lost.\n'
        printf 'port = %s\n' "$port"
        printf "unix_socket_directories = '%s'\n" "${sockdir//\'/\'\'}"
    } >"$conf"
    if ((EUID == 0)); then chown "$(sk_pg_user):" "$conf"; fi
    chmod 600 "$conf"
    if [[ -n $sockdir ]]; then
        sk_pg_own_dir "$sockdir"
    fi
}

# sk_pg_start DATADIR LOGFILE
# Returns 0 when the server accepts connections, 2 when its port was taken,
# 1 on any other failure (the log tail is printed).
sk_pg_start() {
    local data=$1 log=$2 before=0 rc=0
    if [[ ! -e $log ]]; then
        : >"$log"
        if ((EUID == 0)); then chown "$(sk_pg_user):" "$log"; fi
    fi
    before=$(stat -c %s "$log")
    # setsid: the postmaster must not get the terminal's Ctrl-C; the caller stops it.
    sk_as_pg setsid "$SK_PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 -s start </dev/null >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && return 0
    if tail -c +"$((before + 1))" "$log" | grep -q 'Address already in use'; then
        return 2
    fi
    sk_tail_log "$log"
    return 1
}

# The postmaster's pid for DATADIR, if its pid file names a live postgres.
sk_pg_pid() {
    local data=$1 pid
    [[ -r $data/postmaster.pid ]] || return 1
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    sk_alive_as "$pid" postgres || return 1
    printf '%s\n' "$pid"
}

# Stop the cluster in DATADIR (fast shutdown), whatever state it is in.
sk_pg_stop() {
    local data=$1 pid
    [[ -d $data ]] || return 0
    pid=$(sk_pg_pid "$data") || return 0
    sk_as_pg "$SK_PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 -s stop >/dev/null 2>&1 || true
    sk_wait_gone "$pid" 5 && return 0
    sk_warn "PostgreSQL (pid $pid) did not stop; sending SIGQUIT"
    kill -QUIT "$pid" 2>/dev/null || true
    sk_wait_gone "$pid" 10 && return 0
    kill -KILL "$pid" 2>/dev/null || true
    sk_wait_gone "$pid" 5 || sk_die "PostgreSQL (pid $pid) would not die"
}

# Wait until PostgreSQL answers on 127.0.0.1:port.
sk_pg_wait() {
    local port=$1 secs=${2:-30} i
    for ((i = 0; i < secs * 10; i++)); do
        "$SK_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 && return 0
        sleep 0.1
    done
    return 1
}

# sk_pg_ensure_db PORT ROLE DBNAME  (PGPASSWORD in the environment if needed)
sk_pg_ensure_db() {
    local port=$1 role=$2 db=$3 have
    # psql interpolates :'name' only in scripts it reads, not in -c.
    have=$(printf '%s\n' "SELECT 1 FROM pg_database WHERE datname = :'name';" |
        "$SK_PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$port" -U "$role" -d postgres -v name="$db") ||
        sk_die "cannot connect to PostgreSQL on 127.0.0.1:$port as $role"
    [[ $have == 1 ]] && return 0
    "$SK_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$role" -O "$role" "$db" ||
        sk_die "createdb $db failed"
}

# ---------------------------------------------------------------------------
# Redis

# The ACL user the services log in as, and the commands common/sk_cache.c
# sends (AUTH needs no permission). Nothing else: no CONFIG, KEYS, FLUSHALL.
SK_REDIS_USER=seklik
SK_REDIS_CACHE_COMMANDS=(+get +set +del +unlink +scan +ping +select +eval)

# A new Redis password: 32 hex digits (no character a URL or a config file
# would need to escape).
sk_redis_new_password() {
    od -An -tx1 -N16 /dev/urandom | tr -d ' \n'
}

# sk_redis_write_acl FILE PASSWORD [RULE...]
# Writes a Redis ACL file (mode 600): the default user off, so a connection
# that has not authenticated can do nothing, and SK_REDIS_USER with PASSWORD,
# limited to the keys seklik:* and the cache's commands, plus RULEs (the test
# fixture adds +flushall +exists +pttl +strlen).
sk_redis_write_acl() {
    local file=$1 password=$2
    shift 2
    [[ $password =~ ^[0-9A-Za-z]{16,}$ ]] || sk_die "a Redis password must be 16+ letters and digits"
    (
        umask 077
        printf 'user default off\nuser %s reset on >%s ~seklik:* resetchannels -@all %s\n' \
            "$SK_REDIS_USER" "$password" "${SK_REDIS_CACHE_COMMANDS[*]}${*:+ $*}" >"$file.tmp"
    )
    mv -f "$file.tmp" "$file"
}

# sk_redis_start DIR LISTEN ACLFILE
# Starts a daemonized redis-server with everything (pid, log) under DIR and
# the users of ACLFILE (sk_redis_write_acl). LISTEN is a TCP port on 127.0.0.1,
# or an absolute path: a unix socket only its owner may open, and no TCP port.
# Returns 0 when it answers, 2 when its port was taken, 1 otherwise.
sk_redis_start() {
    local dir=$1 listen=$2 acl=$3 before=0 i pid reply
    local log=$dir/redis.log pidfile=$dir/redis.pid
    local -a where probe
    if [[ $listen == /* ]]; then
        where=(--port 0 --unixsocket "$listen" --unixsocketperm 700)
        probe=(-s "$listen")
    else
        where=(--port "$listen" --bind 127.0.0.1)
        probe=(-h 127.0.0.1 -p "$listen")
    fi
    mkdir -p "$dir"
    [[ -e $log ]] && before=$(stat -c %s "$log")
    rm -f "$pidfile"
    redis-server "${where[@]}" --aclfile "$acl" --save '' --appendonly no --dir "$dir" \
        --daemonize yes --pidfile "$pidfile" --logfile "$log" </dev/null >/dev/null 2>&1 ||
        { sk_tail_log "$log"; return 1; }
    for ((i = 0; i < 300; i++)); do
        # Unauthenticated, a ready Redis says NOAUTH (the default user is off).
        reply=$(redis-cli "${probe[@]}" ping 2>/dev/null || true)
        if [[ $reply == PONG || $reply == NOAUTH* ]]; then
            # Something answered; make sure it is ours.
            pid=$(cat "$pidfile" 2>/dev/null || true)
            if sk_alive_as "$pid" redis-server; then
                return 0
            fi
        fi
        if tail -c +"$((before + 1))" "$log" 2>/dev/null | grep -q 'Address already in use'; then
            return 2
        fi
        sleep 0.1
    done
    sk_tail_log "$log"
    pid=$(cat "$pidfile" 2>/dev/null || true)
    sk_alive_as "$pid" redis-server && kill -KILL "$pid" 2>/dev/null
    return 1
}

# Stop the redis-server whose pid file is in DIR, without saving (it keeps
# nothing: no save points, no AOF; SIGTERM needs no password).
sk_redis_stop() {
    local dir=$1 pid
    pid=$(cat "$dir/redis.pid" 2>/dev/null || true)
    sk_alive_as "$pid" redis-server || { rm -f "$dir/redis.pid"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    if ! sk_wait_gone "$pid" 10; then
        sk_warn "redis-server (pid $pid) did not stop; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        sk_wait_gone "$pid" 5 || sk_die "redis-server (pid $pid) would not die"
    fi
    rm -f "$dir/redis.pid"
}

# ---------------------------------------------------------------------------
# Services

# Default port index n of each service: RPC tcp://127.0.0.1:710n,
# events tcp://127.0.0.1:720n, health http://127.0.0.1:810n.
declare -A SK_SVC_INDEX=([registry]=1 [verification]=2 [scoring]=3 [ordering]=4
    [distribution]=5 [accounting]=6 [gateway]=7)
SK_SVC_ORDER=(registry verification scoring ordering distribution accounting gateway)
# The gateway's public HTTP address (the web UI and the API).
SK_GATEWAY_URL_DEFAULT=http://127.0.0.1:8080

# sk_svc_url NAME rpc|events|http: where service NAME is reached, as the
# services themselves read it: $SEKLIK_<NAME>_RPC / _EVENTS / _HTTP, else the
# default above. Prints nothing for an unknown service with no variable set.
sk_svc_url() {
    local name=$1 kind=$2 var n
    var=SEKLIK_${name^^}_${kind^^}
    if [[ -n ${!var:-} ]]; then
        printf '%s\n' "${!var}"
        return 0
    fi
    n=${SK_SVC_INDEX[$name]:-}
    [[ -n $n ]] || return 0
    case $kind in
    rpc) printf 'tcp://127.0.0.1:710%s\n' "$n" ;;
    events) printf 'tcp://127.0.0.1:720%s\n' "$n" ;;
    http) printf 'http://127.0.0.1:810%s\n' "$n" ;;
    esac
}

# The TCP port of a tcp:// or http:// URL on 127.0.0.1/localhost/0.0.0.0, or nothing.
sk_url_local_port() {
    [[ $1 =~ ^(tcp|http)://(127\.0\.0\.1|localhost|0\.0\.0\.0|\*):([0-9]+)/?$ ]] &&
        printf '%s\n' "${BASH_REMATCH[3]}"
    return 0
}

# Load a KEY=VALUE file (values may contain spaces; no quoting) into the
# environment. Lines starting with # and blank lines are skipped.
sk_load_env() {
    local key value
    while IFS='=' read -r key value; do
        [[ -z $key || $key == \#* ]] && continue
        export "$key=$value"
    done <"$1"
}
