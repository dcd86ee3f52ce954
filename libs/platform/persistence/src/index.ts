export * from './data-source';
export * from './sql';
export * from './erased-customers';
