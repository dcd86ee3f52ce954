export * from './http-server';
export * from './request-body';
export * from './subgraph';
