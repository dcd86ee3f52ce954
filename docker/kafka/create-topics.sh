#!/bin/sh
# Creates the platform's topics with their partition counts before any service starts.
#
# The list mirrors libs/contracts/events/src/topics.ts, the source of truth: change that file
# first, then this list. Services also create missing topics at start (ensureTopics in
# libs/platform/kafka), so a topic missing here is still created, with the same settings.
# An existing topic is left as it is: adding partitions later moves keys to other partitions and
# breaks per-customer ordering while old messages drain, so that is a deliberate operation.
set -eu
bootstrap="${SEG_KAFKA_BOOTSTRAP:-kafka:9092}"
prefix="${SEG_KAFKA_TOPIC_PREFIX:-}"
replication="${SEG_KAFKA_REPLICATION_FACTOR:-1}"

# name partitions
while read -r name partitions; do
  [ -n "$name" ] || continue
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "${prefix}${name}" --partitions "$partitions" --replication-factor "$replication"
done <<TOPICS
seg.ingest.raw-transaction.v1 6
seg.ingest.transaction-line.v1 6
seg.ingest.transaction-line.v2 6
seg.ingest.live-transaction-line.v2 6
seg.ingest.transaction-line.v3 6
seg.ingest.live-transaction-line.v3 6
seg.ingest.customer-erasure-requested.v1 6
seg.rfm.customer-metrics-changed.v1 6
seg.rfm.live-customer-metrics-changed.v1 6
seg.clustering.segmentation-model-trained.v1 1
seg.clustering.customer-segment-assigned.v1 6
seg.dead-letter.v1 1
TOPICS

/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --list
