#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers for the test suite (and the scaled benchmark).
#
#   eval "$(bash scripts/test_services.sh start DIR)"   start both under DIR, print the exports
#   bash scripts/test_services.sh stop DIR                stop both, remove DIR
#
# `start` installs Debian's postgresql and redis-server with apt-get when they are missing, makes
# a fresh cluster in DIR (initdb and pg_ctl run as the `postgres` user when we are root, since the
# server refuses to run as root; as ourselves otherwise), listening on 127.0.0.1 at a free port
# with trust authentication, and a Redis without persistence, also at a free port. It prints
#   export TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
#   export TEST_REDIS_URL=redis://127.0.0.1:PORT/0
# Nothing is left behind by `stop`.
set -euo pipefail

action=${1:?usage: test_services.sh start|stop DIR}
dir=${2:?usage: test_services.sh start|stop DIR}

log() { echo "test_services: $*" >&2; }

as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] && echo "$bin"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

install_missing() {
  local packages=()
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || packages+=(postgresql)
  command -v redis-server >/dev/null || packages+=(redis-server)
  if [ ${#packages[@]} -gt 0 ]; then
    log "installing ${packages[*]} with apt-get"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2 || true
    # Debian's postgresql package creates and starts a default cluster; policy-rc.d keeps it down.
    $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
  fi
}

start() {
  install_missing
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local bin pg_port redis_port
  bin=$(pg_bin)
  pg_port=$(free_port)
  redis_port=$(free_port)
  mkdir -p "$dir/pg" "$dir/redis"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; chmod 755 "$dir"; fi
  as_server_user "$bin/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1 \
    || { cat "$dir/pg/initdb.log" >&2; exit 1; }
  # Tuned for throwaway data: no fsync, enough connections for parallel tests and the benchmark.
  as_server_user "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t 60 start \
    -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >&2 \
    || { cat "$dir/pg/server.log" >&2; exit 1; }
  as_server_user redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$dir/redis" --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >&2
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis-cli -p "$redis_port" ping >/dev/null || { cat "$dir/redis/redis.log" >&2; exit 1; }
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $pg_port, Redis on port $redis_port, under $dir"
  echo "export TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"
  echo "export TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0"
}

stop() {
  [ -d "$dir" ] || return 0
  local bin
  bin=$(pg_bin || true)
  if [ -f "$dir/pg/data/postmaster.pid" ] && [ -n "$bin" ]; then
    as_server_user "$bin/pg_ctl" -D "$dir/pg/data" -m immediate -w stop >&2 || true
  fi
  if [ -f "$dir/redis/redis.pid" ]; then
    kill "$(cat "$dir/redis/redis.pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: test_services.sh start|stop DIR" >&2; exit 2 ;;
esac
