import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { consumerReadiness, watchConsumerStatus, type ConsumerStatus, type RunningConsumer } from './consumer-status';

/** A stand-in with the two things the watcher uses: the event names and `on`. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const events = { CONNECT: 'consumer.connect', GROUP_JOIN: 'consumer.group_join', DISCONNECT: 'consumer.disconnect', CRASH: 'consumer.crash' };
  const consumer = { events, on: (name: string, listener: () => void) => emitter.on(name, listener) } as unknown as Consumer;
  return { consumer, emit: (name: keyof typeof events) => emitter.emit(events[name], { payload: {} }) };
}

describe('watchConsumerStatus', () => {
  it('follows connect, group join, crash and the restart after it', () => {
    const { consumer, emit } = fakeConsumer();
    const changes: ConsumerStatus[] = [];
    const status = watchConsumerStatus(consumer, (s) => changes.push(s));
    expect(status()).toBe('starting');
    emit('CONNECT');
    expect(status()).toBe('connected');
    emit('GROUP_JOIN');
    expect(status()).toBe('running');
    // A retriable crash: kafkajs disconnects, reports the crash, then connects and joins again.
    emit('DISCONNECT');
    emit('CRASH');
    expect(status()).toBe('down');
    emit('CONNECT');
    emit('GROUP_JOIN');
    expect(status()).toBe('running');
    expect(changes).toEqual(['connected', 'running', 'down', 'down', 'connected', 'running']);
  });
});

describe('consumerReadiness', () => {
  it('is ready only while the consumer runs', () => {
    const withStatus = (s: ConsumerStatus) => ({ status: () => s }) as unknown as RunningConsumer;
    expect(consumerReadiness(withStatus('running'))).toEqual({ ready: true, checks: { broker: true } });
    for (const s of ['starting', 'connected', 'down'] as const) expect(consumerReadiness(withStatus(s))).toEqual({ ready: false, checks: { broker: false } });
  });
});
