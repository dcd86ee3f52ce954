export * from './data-source';
export * from './sql';
export * from './erased-customers';
export { infileField, infileOf, loadDataLocal, LoadDataRefusedError, type LoadDataStatement } from './load-data';
