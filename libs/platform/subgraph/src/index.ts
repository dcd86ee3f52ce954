export * from './http-server';
export * from './subgraph';
