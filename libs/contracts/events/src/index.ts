export * from './envelope';
export * from './topics';
export * from './define-event';
export * from './events';
export * from './erasure-digest';
export * from './transaction-lines';
