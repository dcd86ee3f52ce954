import type { Consumer } from 'kafkajs';

/** Where a consumer group member stands, as kafkajs's instrumentation events tell it. */
export type ConsumerStatus = 'starting' | 'connected' | 'running' | 'down';

/** A consumer started by runConsumer: the kafkajs consumer and its current status. */
export type RunningConsumer = Consumer & { readonly status: () => ConsumerStatus };

/**
 * Follows a consumer's status from kafkajs instrumentation events, without asking the broker:
 * CONNECT (connected, not yet in its group), GROUP_JOIN (running; again after every rebalance),
 * DISCONNECT and CRASH (down; after a retriable crash kafkajs restarts the member, which emits
 * CONNECT and GROUP_JOIN again). Call it before connecting, so that no event is missed.
 */
export function watchConsumerStatus(consumer: Consumer, onChange: (status: ConsumerStatus) => void = () => undefined): () => ConsumerStatus {
  let status: ConsumerStatus = 'starting';
  const becomes = (next: ConsumerStatus) => () => {
    status = next;
    onChange(next);
  };
  consumer.on(consumer.events.CONNECT, becomes('connected'));
  consumer.on(consumer.events.GROUP_JOIN, becomes('running'));
  consumer.on(consumer.events.DISCONNECT, becomes('down'));
  consumer.on(consumer.events.CRASH, becomes('down'));
  return () => status;
}

/** The broker check of a consuming service's /ready: its consumer is connected and in its group. */
export function consumerReadiness(consumer: RunningConsumer): { ready: boolean; checks: { broker: boolean } } {
  const broker = consumer.status() === 'running';
  return { ready: broker, checks: { broker } };
}
