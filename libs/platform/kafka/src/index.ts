export * from './kafka-client';
export * from './publisher';
export * from './consumer';
export * from './consumer-status';
export * from './kafka-metrics';
