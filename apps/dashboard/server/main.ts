import { dirname } from 'node:path';
import { ConfigError } from '@seg/platform-config';
import { createLogger, createMetricsRegistry, describeError } from '@seg/platform-observability';
import { loadDashboardConfig } from './config';
import { startDashboardServer } from './dashboard-server';

async function main(): Promise<void> {
  const config = loadDashboardConfig(process.env, dirname(process.argv[1] ?? __filename));
  const logger = createLogger('dashboard', config.logLevel);
  const server = await startDashboardServer({ ...config, metrics: createMetricsRegistry('dashboard'), logger });
  logger.info({ url: server.url, gateway: config.gatewayOrigin, staticRoot: config.staticRoot }, 'dashboard ready');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(describeError(error), 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`dashboard: ${error.message}`);
  else console.error('dashboard failed to start:', error);
  process.exit(1);
});
