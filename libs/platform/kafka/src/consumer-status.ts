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

/**
 * A broker check of a consuming service's /ready: the consumer is connected and in its group.
 * `check` names it: 'broker' for the service's main consumer, 'liveBroker' for its live lane's.
 */
export function consumerReadiness<C extends string = 'broker'>(consumer: RunningConsumer, check: C = 'broker' as C): { ready: boolean; checks: Record<C, boolean> } {
  const running = consumer.status() === 'running';
  return { ready: running, checks: { [check]: running } as Record<C, boolean> };
}
