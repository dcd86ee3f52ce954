export * from './parse-config';
