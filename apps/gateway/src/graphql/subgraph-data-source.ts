import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceEndpointDefinition } from '@apollo/gateway';
import { CORRELATION_HEADER, GATEWAY_SECRET_HEADER, ROLE_HEADER } from '@seg/platform-subgraph';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './gateway-context';

/** Codes of a subgraph that could not be reached, or answered with an HTTP error. */
export const SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE';
export const SUBGRAPH_FAILED = 'SUBGRAPH_FAILED';

/**
 * The error a client sees when a subgraph call fails below GraphQL (refused connection, timeout,
 * HTTP 5xx): it names the subgraph, so a partial answer says which fields are missing and why,
 * but not its address or what it answered (those stay in the log, as the original error).
 */
export function subgraphFailure(subgraph: string, cause: Error, status: number | undefined): GraphQLError {
  const what = status === undefined ? 'is unavailable' : status >= 300 ? `failed (HTTP ${status})` : 'sent an answer that is not GraphQL';
  return new GraphQLError(`the ${subgraph} subgraph ${what}: its fields are missing from this answer`, {
    originalError: cause,
    extensions: { code: status === undefined ? SUBGRAPH_UNAVAILABLE : SUBGRAPH_FAILED, serviceName: subgraph },
  });
}

/**
 * Calls one subgraph. The request to a subgraph is built from scratch (no client header is
 * forwarded); this sets the shared secret that proves it comes from the gateway, and the caller's
 * role and correlation id as the gateway established them.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly gatewaySecret: string,
  ) {
    super({ url });
  }

  override didEncounterError(error: Error, _request: unknown, response?: { readonly status: number }): void {
    throw subgraphFailure(this.name, error, response?.status);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = options.request.http?.headers;
    if (!headers) return;
    headers.set(GATEWAY_SECRET_HEADER, this.gatewaySecret);
    // Only requests made on behalf of a client operation carry its context (the request kind enum
    // is not exported by @apollo/gateway, so the union is narrowed by its distinguishing field).
    if ('incomingRequestContext' in options) {
      headers.set(ROLE_HEADER, options.context.role);
      headers.set(CORRELATION_HEADER, options.context.correlationId);
    } else {
      // Health checks and schema loads carry no caller; they must not borrow anyone's role.
      headers.delete(ROLE_HEADER);
    }
  }
}

/**
 * The gateway's `buildService`: the URL of each subgraph is the override configured for its name,
 * else the URL recorded in the supergraph.
 */
export function subgraphDataSources(
  gatewaySecret: string,
  urlOverrides: Readonly<Record<string, string | undefined>>,
): (definition: ServiceEndpointDefinition) => SubgraphDataSource {
  return ({ name, url }) => {
    const target = urlOverrides[name] ?? url;
    if (!target) throw new Error(`subgraph ${name} has no URL: set it in the supergraph or SEG_${name.toUpperCase()}_URL`);
    return new SubgraphDataSource(name, target, gatewaySecret);
  };
}
