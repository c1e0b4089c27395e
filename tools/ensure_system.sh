#!/usr/bin/env bash
# Make sure the system packages and services a make target needs are here (Debian/Ubuntu).
#
#   tools/ensure_system.sh test    chromium + fonts-noto-cjk (browser tests), poppler-utils (PDF text),
#                                  PostgreSQL and Redis answering at DATABASE_URL / REDIS_URL
#   tools/ensure_system.sh bench   the same services, wrk (HTTP load) and pgbench (TPC-B baseline)
#   tools/ensure_system.sh messages  gettext's xgettext for `make messages` (compiling needs no gettext)
#
# Missing packages: as root, `apt-get update` once, then `apt-get install -y --no-install-recommends ...`;
# otherwise it prints the exact command to run and fails. A local PostgreSQL / Redis that does not answer
# is started with the commands of docs/testing (pg_ctlcluster, redis-server --daemonize).
set -euo pipefail

need_test=0
need_bench=0
need_messages=0
for arg in "$@"; do
  case "$arg" in
    test) need_test=1 ;;
    bench) need_bench=1 ;;
    messages) need_messages=1 ;;
    *) echo "usage: $0 test|bench|messages ..." >&2; exit 2 ;;
  esac
done

missing=()
add() { local pkg; for pkg in "$@"; do [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg"); done; }
have() { command -v "$1" >/dev/null 2>&1; }

if [ "$need_test" = 1 ]; then
  have chromium || add chromium
  # Japanese in screenshots and PDFs needs a CJK font; fc-list comes with fontconfig (a chromium dependency).
  { have fc-list && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } || add fonts-noto-cjk
  have pdftotext || add poppler-utils
fi
if [ "$need_bench" = 1 ]; then
  have wrk || add wrk
  have pgbench || add postgresql-client
fi
if [ "$need_messages" = 1 ]; then
  have xgettext || add gettext
fi

# URL -> "host port" (defaults as in tests/settings.py).
host_port() {
  local url="$1" default_port="$2" rest
  rest="${url#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"
  case "$rest" in
    *:*) echo "${rest%%:*} ${rest##*:}" ;;
    *) echo "${rest:-127.0.0.1} $default_port" ;;
  esac
}
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
is_local() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ] || [ "$1" = "::1" ]; }

need_services=$((need_test + need_bench))
if [ "$need_services" -gt 0 ]; then
  read -r pg_host pg_port < <(host_port "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/b2bshop}" 5432)
  read -r redis_host redis_port < <(host_port "${REDIS_URL:-redis://127.0.0.1:6379/0}" 6379)
  if ! answers "$pg_host" "$pg_port" && is_local "$pg_host"; then
    { have pg_ctlcluster && [ -d /etc/postgresql ]; } || add postgresql
  fi
  if ! answers "$redis_host" "$redis_port" && is_local "$redis_host"; then
    have redis-server || add redis-server
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if ! have apt-get; then
    echo "!! missing system packages: ${missing[*]} (install them with your package manager)" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "!! missing system packages: ${missing[*]}. Run:" >&2
    echo "sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo ">> installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

wait_for() {
  local i
  for i in $(seq 1 30); do answers "$1" "$2" && return 0; sleep 1; done
  return 1
}
[ "$need_services" -gt 0 ] || exit 0
if ! answers "$pg_host" "$pg_port"; then
  is_local "$pg_host" || { echo "!! PostgreSQL at $pg_host:$pg_port does not answer" >&2; exit 1; }
  echo ">> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  wait_for "$pg_host" "$pg_port" || { echo "!! PostgreSQL did not start on $pg_host:$pg_port" >&2; exit 1; }
fi
if ! answers "$redis_host" "$redis_port"; then
  is_local "$redis_host" || { echo "!! Redis at $redis_host:$redis_port does not answer" >&2; exit 1; }
  echo ">> starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no
  wait_for "$redis_host" "$redis_port" || { echo "!! Redis did not start on $redis_host:$redis_port" >&2; exit 1; }
fi
