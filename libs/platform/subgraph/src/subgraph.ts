import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { MetricsRegistry } from '@seg/platform-observability';
import { CORRELATION_HEADER, startHttpServer, type HttpRoutes, type ReadinessReport, type RunningHttpServer } from './http-server';
import { discardRequestBody } from './request-body';

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

/** What a subgraph knows about a request once it is checked: the gateway's context, or why it is refused. */
export type GatewayRequestCheck =
  | { readonly ok: true; readonly context: SubgraphContext }
  | { readonly ok: false; readonly status: 401 | 403; readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN'; readonly message: string };

/**
 * Checks that a request comes from the gateway (the shared secret) and reads the caller's role
 * and correlation id as the gateway established them. Only the gateway knows the secret, so a
 * direct call to a subgraph is refused and cannot bypass the gateway's authentication.
 */
export function checkGatewayRequest(request: IncomingMessage, secret: string): GatewayRequestCheck {
  const given = header(request, GATEWAY_SECRET_HEADER);
  if (!given || !sameSecret(given, secret)) return { ok: false, status: 401, code: 'UNAUTHENTICATED', message: 'subgraphs accept requests from the gateway only' };
  const role = header(request, ROLE_HEADER);
  if (role !== 'viewer' && role !== 'marketer' && role !== 'admin') return { ok: false, status: 403, code: 'FORBIDDEN', message: 'missing or unknown role' };
  return { ok: true, context: { role, correlationId: header(request, CORRELATION_HEADER) ?? 'none' } };
}

/** Builds the context of a subgraph's GraphQL request (see {@link checkGatewayRequest}); a refusal is a GraphQL error with its HTTP status. */
export function subgraphContext(secret: string): (request: IncomingMessage) => Promise<SubgraphContext> {
  return async (request) => {
    const checked = checkGatewayRequest(request, secret);
    if (!checked.ok) throw new GraphQLError(checked.message, { extensions: { code: checked.code, http: { status: checked.status } } });
    return checked.context;
  };
}

/** Whether `role` is `needed` or above it. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

/** Throws a FORBIDDEN error unless the caller has at least `needed`. */
export function requireRole(context: SubgraphContext, needed: Role): void {
  if (!hasRole(context.role, needed)) {
    throw new GraphQLError(`this operation needs the ${needed} role; you have ${context.role}`, { extensions: { code: 'FORBIDDEN' } });
  }
}

/** Where a subgraph serves routes meant for the gateway alone (beside /graphql). */
export const INTERNAL_PATH_PREFIX = '/internal/';

/**
 * A subgraph's routes under {@link INTERNAL_PATH_PREFIX}, called only for requests the gateway
 * signed, with the caller's context: resolves true when it answered, false for a 404.
 */
export type InternalRoutes = (request: IncomingMessage, response: ServerResponse, url: URL, context: SubgraphContext) => Promise<boolean>;

/**
 * The HTTP routes of a subgraph's internal endpoints: a request under /internal/ without the
 * gateway's secret gets 401, one without a known role 403, before any route sees it (its body is
 * not stored: see {@link discardRequestBody}). Other paths are not taken.
 */
export function internalRoutes(secret: string, routes: InternalRoutes): HttpRoutes {
  return async (request, response, url) => {
    if (!url.pathname.startsWith(INTERNAL_PATH_PREFIX)) return false;
    const checked = checkGatewayRequest(request, secret);
    if (!checked.ok) {
      response.writeHead(checked.status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify({ errors: [{ message: checked.message, extensions: { code: checked.code } }] }));
      discardRequestBody(request);
      return true;
    }
    return routes(request, response, url, checked.context);
  };
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

/** Serves one subgraph on /graphql with /health, /ready and /metrics (and its internal routes), accepting only gateway-signed requests. */
export function serveSubgraph(options: {
  readonly settings: { readonly host: string; readonly port: number; readonly production: boolean; readonly gatewaySecret: string };
  readonly descriptor: SubgraphDescriptor;
  readonly resolvers: GraphQLResolverMap<SubgraphContext>;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  /** Routes under /internal/ for the gateway alone (see {@link internalRoutes}). */
  readonly internalRoutes?: InternalRoutes;
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
    ...(options.internalRoutes ? { routes: internalRoutes(settings.gatewaySecret, options.internalRoutes) } : {}),
  });
}
