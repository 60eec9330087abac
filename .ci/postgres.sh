#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store contract tests
# (tests/store_contract.rs), on 127.0.0.1 only.
#
#   env=$(.ci/postgres.sh start)   # installs if needed, starts, prints the export
#   eval "$env"
#   .ci/postgres.sh stop
#
# (Two steps, so that under `set -e` a failed start stops the caller:
# `eval "$(... start)"` would eval nothing and carry on.)
#
# `start` installs PostgreSQL from the distribution's packages when it is
# missing, creates its own data directory (not Debian's `main` cluster, so a
# system server is left alone), starts the server on 127.0.0.1:$STUDYBOT_PG_PORT
# (54329 unless set), creates the role and database `studybot`, and prints
#   export STUDYBOT_TEST_POSTGRES_URL=postgres://studybot:studybot@127.0.0.1:PORT/studybot
# on stdout; everything else goes to stderr. Running it again while the
# server runs only prints the line again. Meant for a Debian machine run as
# root (CI, a developer's container); the server itself runs as `postgres`.
set -euo pipefail

PORT="${STUDYBOT_PG_PORT:-54329}"
DATA="${STUDYBOT_PG_DATA:-/var/lib/postgresql/studybot-test}"
LOG="$DATA.log"
ROLE=studybot
PASSWORD=studybot
DATABASE=studybot

say() { echo "postgres.sh: $*" >&2; }

# The newest installed server's binaries (pg_ctl, initdb), if any.
bindir() {
    local dir
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
    if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
}

install_if_missing() {
    if [ -n "$(bindir)" ]; then return; fi
    say "installing PostgreSQL from the distribution's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # The package's own cluster is not started (policy-rc.d may forbid it
    # anyway); this script runs its own data directory.
    apt-get install -y -qq postgresql >&2
    if [ -z "$(bindir)" ]; then
        say "PostgreSQL installed but no pg_ctl found under /usr/lib/postgresql"
        exit 1
    fi
}

as_postgres() { runuser -u postgres -- "$@"; }

running() { [ -f "$DATA/PG_VERSION" ] && as_postgres "$(bindir)/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

psql_admin() {
    # Over the data directory's own socket, as the superuser, by peer auth.
    as_postgres "$(bindir)/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

start() {
    if [ "$(id -u)" -ne 0 ]; then
        say "run as root (it installs packages and starts the server as postgres)"
        exit 1
    fi
    install_if_missing
    local bin
    bin=$(bindir)
    if [ ! -f "$DATA/PG_VERSION" ]; then
        say "creating the data directory $DATA"
        install -d -o postgres -g postgres -m 700 "$DATA"
        as_postgres "$bin/initdb" -D "$DATA" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
            --encoding=UTF8 --locale=C.UTF-8 >&2
    fi
    if running; then
        # The port it was started with (line 4 of postmaster.pid) wins over
        # a different STUDYBOT_PG_PORT now.
        PORT=$(sed -n 4p "$DATA/postmaster.pid")
        say "already running on 127.0.0.1:$PORT"
    else
        say "starting on 127.0.0.1:$PORT (log: $LOG)"
        install -o postgres -g postgres -m 600 /dev/null "$LOG.new" && mv -f "$LOG.new" "$LOG"
        # Loopback only; the socket lives in the data directory so nothing
        # else (a system cluster's /var/run/postgresql) is touched.
        as_postgres "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA -c max_connections=200" \
            start >&2 || {
            say "the server did not start; its log says:"
            tail -n 20 "$LOG" >&2
            exit 1
        }
    fi
    if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
        psql_admin -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
    fi
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
        psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE"
    fi
    echo "export STUDYBOT_TEST_POSTGRES_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
}

stop() {
    if [ -z "$(bindir)" ] || ! running; then
        say "not running"
        return
    fi
    as_postgres "$(bindir)/pg_ctl" -D "$DATA" -m fast -w stop >&2
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
