import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { MetricsRegistry } from '@seg/platform-observability';
import { CORRELATION_HEADER, startHttpServer, type ReadinessReport, type RunningHttpServer } from './http-server';

export type Role = 'viewer' | 'marketer' | 'admin';
const ROLE_RANK: Record<Role, number> = { viewer: 1, marketer: 2, admin: 3 };

/** Headers the gateway sets on every subgraph request; clients cannot forge them (see gateway). */
export const GATEWAY_SECRET_HEADER = 'x-seg-gateway-secret';
export const ROLE_HEADER = 'x-seg-role';

/** What every subgraph resolver receives: the caller's role as established by the gateway. */
export interface SubgraphContext {
  readonly role: Role;
  readonly correlationId: string;
}

/** One subgraph as the compose tool, the composition test and the service itself see it. */
export interface SubgraphDescriptor {
  readonly name: string;
  readonly typeDefs: DocumentNode;
  /** Default URL used in the committed supergraph; deployments override it in the gateway. */
  readonly url: string;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds the context of a subgraph request. Only the gateway knows the shared secret, so a direct
 * call to a subgraph is refused and cannot bypass the gateway's authentication.
 */
export function subgraphContext(secret: string): (request: IncomingMessage) => Promise<SubgraphContext> {
  return async (request) => {
    const given = header(request, GATEWAY_SECRET_HEADER);
    if (!given || !sameSecret(given, secret)) {
      throw new GraphQLError('subgraphs accept requests from the gateway only', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
    const role = header(request, ROLE_HEADER);
    if (role !== 'viewer' && role !== 'marketer' && role !== 'admin') {
      throw new GraphQLError('missing or unknown role', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
    }
    return { role, correlationId: header(request, CORRELATION_HEADER) ?? 'none' };
  };
}

/** Throws a FORBIDDEN error unless the caller has at least `needed`. */
export function requireRole(context: SubgraphContext, needed: Role): void {
  if (ROLE_RANK[context.role] < ROLE_RANK[needed]) {
    throw new GraphQLError(`this operation needs the ${needed} role; you have ${context.role}`, { extensions: { code: 'FORBIDDEN' } });
  }
}

export function createSubgraphServer(descriptor: SubgraphDescriptor, resolvers: GraphQLResolverMap<SubgraphContext>, production: boolean): ApolloServer<SubgraphContext> {
  return new ApolloServer<SubgraphContext>({
    // Resolver maps are typed per context; buildSubgraphSchema's signature only knows `unknown`.
    schema: buildSubgraphSchema({ typeDefs: descriptor.typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> }),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
  });
}

export type { GraphQLResolverMap };

/** Serves one subgraph on /graphql with /health, /ready and /metrics, accepting only gateway-signed requests. */
export function serveSubgraph(options: {
  readonly settings: { readonly host: string; readonly port: number; readonly production: boolean; readonly gatewaySecret: string };
  readonly descriptor: SubgraphDescriptor;
  readonly resolvers: GraphQLResolverMap<SubgraphContext>;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
}): Promise<RunningHttpServer> {
  const { settings } = options;
  return startHttpServer({
    host: settings.host,
    port: settings.port,
    apollo: createSubgraphServer(options.descriptor, options.resolvers, settings.production),
    context: subgraphContext(settings.gatewaySecret),
    readiness: options.readiness,
    metrics: options.metrics,
    logger: options.logger,
  });
}
