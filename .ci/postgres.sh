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
#   export STUDYBOT_TEST_POSTGRES_URL=postgres://studybot:studybot@127.0.0.1:PORT/studybot?sslrootcert=$DATA.ca.pem
# on stdout; everything else goes to stderr. The server speaks TLS, with a
# certificate for 127.0.0.1 signed by a throwaway CA made here on first start
# (its certificate is $DATA.ca.pem; its key is not kept), so every
# PostgreSQL test connects as a deployment across a network would, and
# tests/postgres_tls.rs checks what happens without that CA. Running it again while the
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

# The server's TLS key and certificate, and the CA certificate clients trust.
tls_files() {
    if [ -f "$DATA/server.crt" ] && [ -f "$DATA.ca.pem" ]; then return; fi
    if ! command -v openssl >/dev/null; then
        say "installing openssl to make the test server's certificate"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq openssl >&2
    fi
    say "making a throwaway CA and a certificate for 127.0.0.1"
    local work
    work=$(mktemp -d)
    local curve=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    openssl req -x509 "${curve[@]}" -days 36500 -subj "/CN=studybot test CA" \
        -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
    openssl req "${curve[@]}" -subj "/CN=127.0.0.1" \
        -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$work/server.ext"
    openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
        -CAcreateserial -days 36500 -extfile "$work/server.ext" -out "$work/server.crt" 2>/dev/null
    install -o postgres -g postgres -m 600 "$work/server.key" "$DATA/server.key"
    install -o postgres -g postgres -m 644 "$work/server.crt" "$DATA/server.crt"
    install -m 644 "$work/ca.pem" "$DATA.ca.pem"
    rm -rf "$work"
}

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
    tls_files
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
            -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$DATA -c max_connections=200 -c ssl=on -c ssl_cert_file=$DATA/server.crt -c ssl_key_file=$DATA/server.key" \
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
    echo "export STUDYBOT_TEST_POSTGRES_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE?sslrootcert=$DATA.ca.pem"
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
