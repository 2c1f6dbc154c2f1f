#!/bin/sh
# A throwaway PostgreSQL 15 server for the hub tests (ctest fixture hub.pg_start / hub.pg_stop).
#
#   pgtest.sh start DIR   initdb a new cluster, start it listening on a Unix socket only (no TCP
#                         port to clash with anything), write the libpq URL of its maintenance
#                         database to DIR/url, exit 0 once it accepts connections
#   pgtest.sh stop DIR    stop it and remove it
#
# The cluster lives in a mktemp directory under /tmp recorded in DIR/home, because initdb refuses
# to run as root: as root the server runs as the `postgres` system user, which cannot be relied
# on to reach DIR (a build tree under root's home). A cluster left behind by a crashed run is
# stopped and removed before a new one starts.
set -eu

PGBIN=${ZC_PG_BIN:-/usr/lib/postgresql/15/bin}
# Only names the socket file (.s.PGSQL.5432) in the cluster's own directory.
PGPORT_SOCKET=5432
HOME_PATTERN=zc-pg.

die() {
    echo "pgtest.sh: $*" >&2
    exit 1
}

[ $# -eq 2 ] || {
    echo "usage: pgtest.sh start|stop DIR" >&2
    exit 2
}
cmd=$1
dir=$2

# Runs a PostgreSQL program as the user who owns the cluster.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_cluster() {
    [ -f "$dir/home" ] || return 0
    home=$(cat "$dir/home")
    case "$(basename "$home")" in
    "$HOME_PATTERN"*) ;;
    *) die "$dir/home names $home, which this script did not make; not removing it" ;;
    esac
    if [ -f "$home/data/postmaster.pid" ]; then
        (cd "$home" && as_owner "$PGBIN/pg_ctl" -D "$home/data" -m immediate -w stop) \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$home"
    rm -f "$dir/home" "$dir/url" "$dir/initdb.log"
}

start_cluster() {
    [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] ||
        die "PostgreSQL 15 is not installed ($PGBIN/initdb not found); install the Debian package postgresql (or set ZC_PG_BIN)"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 ||
            die "running as root needs the postgres system user (Debian package postgresql makes it)"
    fi
    mkdir -p "$dir"
    stop_cluster
    home=$(mktemp -d "${TMPDIR:-/tmp}/${HOME_PATTERN}XXXXXX")
    echo "$home" >"$dir/home"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$home"
    fi
    cd "$home"
    as_owner "$PGBIN/initdb" -D "$home/data" -U postgres --auth=trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        die "initdb failed"
    }
    # Throwaway data: no fsync; enough connections for pools of several hubs and threads.
    as_owner sh -c "cat >>'$home/data/postgresql.conf'" <<EOF
listen_addresses = ''
unix_socket_directories = '$home'
port = $PGPORT_SOCKET
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    as_owner "$PGBIN/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 start \
        >/dev/null 2>&1 || {
        cat "$home/server.log" >&2 || true
        die "the PostgreSQL server did not start"
    }
    "$PGBIN/pg_isready" -q -h "$home" -p "$PGPORT_SOCKET" -U postgres ||
        die "the PostgreSQL server does not accept connections"
    echo "postgresql:///postgres?host=$home&port=$PGPORT_SOCKET&user=postgres" >"$dir/url"
}

case "$cmd" in
start) start_cluster ;;
stop) stop_cluster ;;
*)
    echo "usage: pgtest.sh start|stop DIR" >&2
    exit 2
    ;;
esac
