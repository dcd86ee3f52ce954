import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions, type ServiceEndpointDefinition } from '@apollo/gateway';
import { CORRELATION_HEADER, GATEWAY_SECRET_HEADER, ROLE_HEADER } from '@seg/platform-subgraph';
import type { GatewayContext } from './gateway-context';

/**
 * Calls one subgraph. The request to a subgraph is built from scratch (no client header is
 * forwarded); this sets the shared secret that proves it comes from the gateway, and the caller's
 * role and correlation id as the gateway established them.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly gatewaySecret: string) {
    super({ url });
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
    return new SubgraphDataSource(target, gatewaySecret);
  };
}
