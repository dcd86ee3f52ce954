#!/usr/bin/env bash
# Stops what tools/infra/up.sh started: the Kafka broker of this project, and MariaDB only if
# this project started it (.local/mariadb.started). A MariaDB that was already running stays up.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

rc=0
bash "$HERE/kafka.sh" stop || rc=1
bash "$HERE/mariadb.sh" stop || rc=1
exit $rc
