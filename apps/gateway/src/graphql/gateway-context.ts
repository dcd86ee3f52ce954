import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { CORRELATION_HEADER, type Role } from '@seg/platform-subgraph';
import { GraphQLError } from 'graphql';
import { authenticate, type ApiKeyring } from '../auth/api-keys';
import { presentedApiKey, type HeaderReader } from '../auth/credentials';
import { looksLikeJwt, verifyJwt, type JwtSettings } from '../auth/jwt';
import { correlationIdFor } from './correlation-id';

/** What the gateway knows about a request once the caller is authenticated. */
export interface GatewayContext {
  readonly role: Role;
  readonly correlationId: string;
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer']]) } },
  });
}

/** How callers prove who they are: API keys always, HS256 JWTs when a secret is configured. */
export interface GatewayAuth {
  readonly apiKeys: ApiKeyring;
  readonly jwt: JwtSettings | undefined;
}

/**
 * Builds the context from request headers, or throws UNAUTHENTICATED (HTTP 401, no data). A
 * presented credential is first looked up as an API key; one that is not a key but has the shape
 * of a JWT is verified as one (when JWTs are enabled), so keys keep working beside tokens.
 */
export async function resolveGatewayContext(auth: GatewayAuth, header: HeaderReader): Promise<GatewayContext> {
  const credential = presentedApiKey(header);
  if (credential === undefined) throw unauthenticated('missing API key: send Authorization: Bearer <key or JWT> or x-api-key: <key>');
  const correlationId = correlationIdFor(header(CORRELATION_HEADER));
  const role = authenticate(auth.apiKeys, credential);
  if (role !== undefined) return { role, correlationId };
  if (!looksLikeJwt(credential)) throw unauthenticated('unknown API key');
  if (auth.jwt === undefined) throw unauthenticated('unknown API key (this gateway accepts no JWTs)');
  const verified = await verifyJwt(auth.jwt, credential);
  if ('error' in verified) throw unauthenticated(`invalid token: ${verified.error}`);
  return { role: verified.role, correlationId };
}

/** Reads one header of a node:http request (the first value of a repeated one). */
export function requestHeader(request: IncomingMessage): HeaderReader {
  return (name) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

/** The context function of the gateway's HTTP server. */
export function gatewayContext(auth: GatewayAuth): (request: IncomingMessage) => Promise<GatewayContext> {
  return (request) => resolveGatewayContext(auth, requestHeader(request));
}
