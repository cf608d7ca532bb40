#!/usr/bin/env bash
# Make sure the Redis and PostgreSQL the tests use are up on 127.0.0.1:
# start them, or install them with apt (as root) when this machine has
# none. `make test` runs this first, so a fresh machine needs only Go.
set -euo pipefail

log() { printf 'ensure-services: %s\n' "$*" >&2; }

apt_updated=
apt_install() {
	if [ -z "$apt_updated" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get update -qq || true
		apt_updated=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_redis() {
	if command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
		log "redis is running"
		return
	fi
	command -v redis-server >/dev/null || { log "installing redis"; apt_install redis-server; }
	log "starting redis"
	mkdir -p /var/lib/redis /var/log/redis
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/ci.log
	for _ in $(seq 1 50); do
		redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return
		sleep 0.2
	done
	log "redis did not come up"; exit 1
}

ensure_postgres() {
	if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then
		log "postgresql is running"
	else
		if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
			log "installing postgresql"
			apt_install postgresql
		fi
		log "starting postgresql"
		pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
		for _ in $(seq 1 100); do
			pg_isready -h 127.0.0.1 -p 5432 -q && break
			sleep 0.2
		done
		pg_isready -h 127.0.0.1 -p 5432 -q || { log "postgresql did not come up"; exit 1; }
	fi
	# The tests connect as postgres to database test over TCP without a
	# password; a freshly installed cluster needs both.
	if ! psql "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" -c 'select 1' >/dev/null 2>&1; then
		log "configuring postgresql for trust auth on 127.0.0.1 and database test"
		hba=$(su postgres -c "psql -tAc 'show hba_file'")
		sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
		su postgres -c "psql -c 'select pg_reload_conf()'" >/dev/null
		su postgres -c "createdb test" 2>/dev/null || true
	fi
	# `make dev` keeps its sample tenants, keys and deliveries in a
	# database of its own, apart from the tests'.
	if ! psql "postgres://postgres@127.0.0.1:5432/ozmon_dev?sslmode=disable" -c 'select 1' >/dev/null 2>&1; then
		psql "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" -qc 'CREATE DATABASE ozmon_dev' >/dev/null
	fi
}

ensure_redis
ensure_postgres
