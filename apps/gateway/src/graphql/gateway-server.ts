import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { ApolloGateway } from '@apollo/gateway';
import { CORRELATION_HEADER } from '@seg/platform-subgraph';
import type { Logger } from '@seg/platform-observability';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from './gateway-context';
import { queryCostLimitPlugin } from './query-cost';
import { queryDepthLimitPlugin } from './query-depth';

export interface GatewayServerOptions {
  readonly gateway: ApolloGateway;
  readonly production: boolean;
  readonly maxQueryDepth: number;
  readonly maxQueryCost: number;
  readonly logger: Logger;
}

/** Echoes the correlation id to the client and logs failed operations under it. */
function correlationPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            // Failures of a subgraph fetch arrive as plain errors, without GraphQL extensions.
            const code = error instanceof GraphQLError ? error.extensions['code'] : 'INTERNAL_SERVER_ERROR';
            const subgraph = error instanceof GraphQLError ? error.extensions['serviceName'] : undefined;
            // The client's message may hide the cause (an address, a driver message); the log keeps it.
            const cause = error.originalError && error.originalError.message !== error.message ? error.originalError.message : undefined;
            logger.warn(
              { correlationId: contextValue.correlationId, role: contextValue.role, operationName, code, path: error.path, ...(subgraph ? { subgraph } : {}), ...(cause ? { cause } : {}) },
              `operation failed: ${error.message}`,
            );
          }
        },
        async willSendResponse({ response }) {
          response.http.headers.set(CORRELATION_HEADER, contextValue.correlationId);
        },
      };
    },
  };
}

/**
 * In production an unexpected error reaches the client as a generic message: its details (a
 * subgraph's address, a driver message) stay in the log line written under the correlation id.
 * The name of the subgraph that failed (extensions.serviceName) stays, so a client can tell
 * which part of a partial answer is missing; nothing else of the extensions does.
 */
export function maskInternalError(formatted: GraphQLFormattedError, production: boolean): GraphQLFormattedError {
  const code = formatted.extensions?.['code'];
  if (!production || (code !== undefined && code !== 'INTERNAL_SERVER_ERROR')) return formatted;
  const serviceName = formatted.extensions?.['serviceName'];
  const { extensions: _details, ...rest } = formatted;
  return {
    ...rest,
    message: 'internal error: quote the x-correlation-id response header when reporting it',
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(typeof serviceName === 'string' ? { serviceName } : {}) },
  };
}

/** The Apollo server in front of the gateway, with the same safety settings in every mode. */
export function createGatewayServer(options: GatewayServerOptions): ApolloServer<GatewayContext> {
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    queryDepthLimitPlugin<GatewayContext>(options.maxQueryDepth),
    queryCostLimitPlugin<GatewayContext>(options.maxQueryCost),
    correlationPlugin(options.logger),
    // Installed explicitly so that an APOLLO_KEY in the environment cannot turn reporting on.
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
  ];
  if (options.production) plugins.push(ApolloServerPluginLandingPageDisabled());
  return new ApolloServer<GatewayContext>({
    gateway: options.gateway,
    introspection: !options.production,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // main.ts closes the HTTP server first and then stops Apollo, in that order.
    stopOnTerminationSignals: false,
    logger: options.logger,
    formatError: (formatted) => maskInternalError(formatted, options.production),
    plugins,
  });
}
