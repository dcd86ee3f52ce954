export * from './environment';
export * from './test-database';
export * from './test-kafka';
export * from './service-process';
export * from './private-kafka';
export * from './private-mariadb';
