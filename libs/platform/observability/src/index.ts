export * from './logger';
export * from './retry';
export * from './run-service';
