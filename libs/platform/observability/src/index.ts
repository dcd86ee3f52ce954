export * from './logger';
export * from './metrics';
export * from './retry';
export * from './run-service';
