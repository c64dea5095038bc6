#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests and benchmarks, in a folder of its own, listening
# on 127.0.0.1 only, with the user "aw" trusted on loopback.
#   scripts/postgres-cluster.sh start DIR [PORT] [--tls]
#                                                creates it on PORT (first time) and starts it;
#                                                prints its URL. With --tls it accepts only
#                                                encrypted connections, with a certificate for
#                                                "localhost" signed by DIR/tls/ca.pem
#   scripts/postgres-cluster.sh stop DIR         stops it (the files stay)
#   scripts/postgres-cluster.sh restart DIR      stops and starts it
# As root, the server runs as the "postgres" user that Debian's postgresql package creates.
set -euo pipefail
command=${1:?usage: postgres-cluster.sh start DIR PORT | stop DIR | restart DIR}
dir=${2:?the cluster folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -x "$bin/initdb" ]] || { echo "postgres-cluster.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$command" in
  start)
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      port=${3:?a new cluster needs a port}
      mkdir -p "$dir"
      [[ $(id -u) -eq 0 ]] && chown postgres "$dir"
      as_owner "$bin/initdb" -D "$dir/data" -U aw --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
      echo "$port" >"$dir/port"
      [[ $(id -u) -eq 0 ]] && chown postgres "$dir/port"
      if [[ "${4:-}" == "--tls" ]]; then
        tls="$dir/tls"
        mkdir -p "$tls"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=aw test CA" \
          -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/server.key" \
          -out "$tls/server.csr" 2>/dev/null
        openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
          -days 2 -extfile <(printf 'subjectAltName=DNS:localhost\n') -out "$tls/server.pem" 2>/dev/null
        chmod 600 "$tls/server.key"
        [[ $(id -u) -eq 0 ]] && chown postgres "$tls/server.key" "$tls/server.pem"
        as_owner tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
ssl = on
ssl_cert_file = '$tls/server.pem'
ssl_key_file = '$tls/server.key'
CONF
        # Encrypted connections only: anything else finds no pg_hba.conf entry.
        printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n' |
          as_owner tee "$dir/data/pg_hba.conf" >/dev/null
      fi
    fi
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=500" start >/dev/null
    sslmode=disable
    [[ -d "$dir/tls" ]] && sslmode=require
    echo "postgres://aw@127.0.0.1:$port/postgres?sslmode=$sslmode"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart)
    "$0" stop "$dir"
    "$0" start "$dir" >/dev/null
    ;;
  *)
    echo "postgres-cluster.sh: unknown command '$command'" >&2
    exit 2
    ;;
esac
