import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../graphql/gateway-context';

/** An error answer of the gateway's HTTP routes, shaped like a GraphQL one (`{ errors: [...] }`). */
export function sendError(response: ServerResponse, status: number, errors: readonly GraphQLFormattedError[], headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify({ errors }));
}

/**
 * Authenticates a request to one of the gateway's HTTP routes with the context function of
 * /graphql (the same credentials, the same 401s). Resolves the context, or undefined once it has
 * answered 401.
 */
export async function authenticateRoute(request: IncomingMessage, response: ServerResponse, context: (request: IncomingMessage) => Promise<GatewayContext>): Promise<GatewayContext | undefined> {
  try {
    return await context(request);
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    const http = error.extensions['http'] as { status?: number } | undefined;
    sendError(response, http?.status ?? 401, [{ message: error.message, extensions: { code: error.extensions['code'] ?? 'UNAUTHENTICATED' } }], { 'www-authenticate': 'Bearer' });
    return undefined;
  }
}

/** Waits until the response can take more data, or the client has gone. */
export function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
