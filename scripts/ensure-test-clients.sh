#!/usr/bin/env bash
# The real clients and tools the integration tests drive besides kafkajs: kcat (librdkafka), kafka-python
# (Debian's python3-kafka, run with /usr/bin/python3), confluent-kafka (Debian's python3-confluent-kafka, on librdkafka) and docker-compose (validates docker/docker-compose.yml;
# needs no Docker engine), Prometheus (scrapes the brokers' metrics in a test), Chromium (the web console's
# browser tests, driven by playwright-core) and openssl (test certificates). Installs what is missing with apt-get when running as root on Debian/Ubuntu,
# otherwise says what to install; the tests that need a missing tool then fail and name it.
# Idempotent and silent when everything is present. Run by `npm test` and .ci/run.
set -uo pipefail

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || missing+=(python3-kafka)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || missing+=(python3-confluent-kafka)
{ command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; } || missing+=(docker-compose)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test clients: installing ${missing[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  echo "test clients: apt-get could not install ${missing[*]}" >&2
  exit 1
fi
echo "test clients: missing ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]}); the tests that use them will fail" >&2
exit 1
