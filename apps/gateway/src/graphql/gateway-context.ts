import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { CORRELATION_HEADER, type Role } from '@seg/platform-subgraph';
import { GraphQLError } from 'graphql';
import { authenticate, type ApiKeyring } from '../auth/api-keys';
import { presentedApiKey, type HeaderReader } from '../auth/credentials';
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

/** Builds the context from request headers, or throws UNAUTHENTICATED (HTTP 401, no data). */
export function resolveGatewayContext(keyring: ApiKeyring, header: HeaderReader): GatewayContext {
  const key = presentedApiKey(header);
  if (key === undefined) throw unauthenticated('missing API key: send Authorization: Bearer <key> or x-api-key: <key>');
  const role = authenticate(keyring, key);
  if (role === undefined) throw unauthenticated('unknown API key');
  return { role, correlationId: correlationIdFor(header(CORRELATION_HEADER)) };
}

/** The context function of the gateway's HTTP server. */
export function gatewayContext(keyring: ApiKeyring): (request: IncomingMessage) => Promise<GatewayContext> {
  return async (request) =>
    resolveGatewayContext(keyring, (name) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    });
}
