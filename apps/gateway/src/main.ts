import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ConfigError } from '@seg/platform-config';
import { createLogger, createMetricsRegistry, describeError } from '@seg/platform-observability';
import { combineRoutes, startHttpServer } from '@seg/platform-subgraph';
import { loadGatewayConfig } from './config';
import { segmentCustomersCsvRoute } from './exports/segment-customers-csv';
import { importUploadRoute } from './imports/import-upload';
import { rejectedRowsCsvRoute } from './imports/rejected-rows-csv';
import { gatewayContext } from './graphql/gateway-context';
import { createGatewayServer } from './graphql/gateway-server';
import { subgraphDataSources } from './graphql/subgraph-data-source';
import { locateSupergraph, subgraphUrlIn } from './supergraph/supergraph-file';

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger('gateway', config.logLevel);
  if (config.apolloKeyIgnored) logger.warn('APOLLO_KEY is set but ignored: the gateway reports nothing to Apollo and serves the committed supergraph');

  const location = locateSupergraph(config.supergraphPath, process.cwd(), process.argv[1]);
  if ('error' in location) throw new ConfigError(location.error);
  const supergraphSdl = readFileSync(location.path, 'utf8');
  // Uploads go to the ingest service's internal route, on the origin the gateway calls it at.
  const ingestUrl = config.subgraphUrls.ingest ?? subgraphUrlIn(supergraphSdl, 'ingest');
  if (!ingestUrl) throw new ConfigError(`the supergraph ${location.path} has no URL for the ingest subgraph: set SEG_INGEST_URL`);

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: subgraphDataSources(config.gatewaySecret, config.subgraphUrls),
    logger,
  });
  let loaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    loaded = true;
  });

  const apollo = createGatewayServer({ gateway, production: config.production, maxQueryDepth: config.maxQueryDepth, maxQueryCost: config.maxQueryCost, logger });
  const context = gatewayContext({ apiKeys: config.apiKeys, jwt: config.jwt });
  const server = await startHttpServer({
    host: config.host,
    port: config.port,
    apollo,
    context,
    routes: combineRoutes(
      segmentCustomersCsvRoute({ apollo, context, logger }),
      importUploadRoute({ context, ingestUrl, gatewaySecret: config.gatewaySecret, maxBytes: config.maxUploadBytes, logger }),
      rejectedRowsCsvRoute({ apollo, context, logger }),
    ),
    readiness: async () => ({ ready: loaded, checks: { supergraph: loaded } }),
    metrics: createMetricsRegistry('gateway'),
    logger,
  });
  const overrides = Object.entries(config.subgraphUrls).filter(([, url]) => url !== undefined);
  logger.info(
    { supergraph: location.path, subgraphUrlOverrides: Object.fromEntries(overrides), production: config.production, jwt: config.jwt !== undefined, maxQueryCost: config.maxQueryCost, maxUploadBytes: config.maxUploadBytes },
    'gateway ready',
  );

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
  // Configuration problems are expected failures: print their message alone, no stack trace.
  if (error instanceof ConfigError) console.error(`gateway: ${error.message}`);
  else console.error('gateway failed to start:', error);
  process.exit(1);
});
