export * from './csv-cells';
export * from './csv-records';
export * from './csv-source';
export * from './text-encoding';
