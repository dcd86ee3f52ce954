import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@seg/platform-observability';
import {
  BodyAborted,
  BodyTooLarge,
  copyRequestBody,
  CORRELATION_HEADER,
  declaredBodyLength,
  discardRequestBody,
  GATEWAY_SECRET_HEADER,
  hasRole,
  ROLE_HEADER,
  type HttpRoutes,
} from '@seg/platform-subgraph';
import type { GatewayContext } from '../graphql/gateway-context';
import { authenticateRoute, sendError } from '../http/route-helpers';

/** `POST /imports?name=<file name>`: a CSV file (plain or gzip) as the request body. */
export const UPLOAD_PATH = '/imports';

/** The ingest service's internal route the gateway forwards an upload to (it checks the gateway's secret). */
export const INGEST_UPLOAD_PATH = '/internal/imports';

/** The most of the ingest service's answer (a small JSON document) that is relayed. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** How long a refusal of the ingest service is waited for once it stopped taking the body. */
const ANSWER_GRACE_MS = 2_000;

/** The ingest URL an upload goes to: the internal route on the ingest subgraph's origin, with the file name. */
export function ingestUploadUrl(ingestGraphqlUrl: string, name: string | null): URL {
  const url = new URL(INGEST_UPLOAD_PATH, ingestGraphqlUrl);
  if (name !== null) url.searchParams.set('name', name);
  return url;
}

async function readAnswer(answer: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`the ingest service answered more than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface ImportUploadOptions {
  /** The context function of /graphql: the same credentials, the same 401s. */
  readonly context: (request: IncomingMessage) => Promise<GatewayContext>;
  /** The ingest subgraph's GraphQL URL (as the gateway calls it): its origin serves the internal route. */
  readonly ingestUrl: string;
  /** The secret subgraphs expect from the gateway. */
  readonly gatewaySecret: string;
  /** Bytes as sent; more is answered with 413. */
  readonly maxBytes: number;
  readonly logger: Logger;
}

/**
 * `POST /imports?name=<file name>`: an admin uploads a CSV file (plain or gzip) as the body. The
 * gateway authenticates the caller like /graphql (401, 403 below admin) and streams the body,
 * never held whole in memory, to the ingest service's internal route with its shared secret and
 * the caller's role; ingest stores it and starts an import, and its answer is relayed: 202 with
 * `{ job: { id, status, source } }`, 400 for an empty body, 422 when the file cannot be imported
 * (a missing column: the job is FAILED with the reason). Past `maxBytes` (declared or counted)
 * the answer is 413 and the forwarding is cut, so ingest deletes the partial file; 502 when the
 * ingest service cannot be reached.
 */
export function importUploadRoute(options: ImportUploadOptions): HttpRoutes {
  const { logger, maxBytes } = options;
  return async (request, response, url) => {
    if (url.pathname !== UPLOAD_PATH) return false;
    if (request.method !== 'POST') {
      sendError(response, 405, [{ message: 'use POST with the CSV file as the body', extensions: { code: 'METHOD_NOT_ALLOWED' } }], { allow: 'POST' });
      discardRequestBody(request);
      return true;
    }
    const context = await authenticateRoute(request, response, options.context);
    if (!context) {
      discardRequestBody(request);
      return true;
    }
    const head = { [CORRELATION_HEADER]: context.correlationId };
    // A refusal: the rest of the body is dropped, not forwarded.
    const refuse = (status: number, code: string, message: string) => {
      sendError(response, status, [{ message, extensions: { code } }], head);
      discardRequestBody(request);
    };
    if (!hasRole(context.role, 'admin')) {
      refuse(403, 'FORBIDDEN', `uploads need the admin role; you have ${context.role}`);
      return true;
    }
    const tooLarge = `the upload is larger than ${maxBytes} bytes (SEG_MAX_UPLOAD_BYTES)`;
    const declared = declaredBodyLength(request);
    if (declared !== undefined && declared > maxBytes) {
      refuse(413, 'PAYLOAD_TOO_LARGE', tooLarge);
      return true;
    }
    if (declared === 0) {
      refuse(400, 'EMPTY_BODY', 'the request has no body: send the CSV file (plain or gzip) as the body');
      return true;
    }

    const started = performance.now();
    const log = { correlationId: context.correlationId, role: context.role, name: url.searchParams.get('name') };
    const target = ingestUploadUrl(options.ingestUrl, url.searchParams.get('name'));
    const upstream = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'POST',
      // A connection of its own: uploads are few and long, and one cut short must not leave a
      // half-used socket in a shared pool.
      agent: false,
      headers: {
        'content-type': 'application/octet-stream',
        [GATEWAY_SECRET_HEADER]: options.gatewaySecret,
        [ROLE_HEADER]: context.role,
        [CORRELATION_HEADER]: context.correlationId,
      },
    });
    const answer = new Promise<IncomingMessage>((resolve, reject) => {
      upstream.once('response', resolve);
      upstream.once('error', reject);
    });
    answer.catch(() => undefined);

    // The body goes to ingest as it arrives. Ingest answers once it has all of it, unless it
    // refuses early: then that answer is relayed and the rest of the body dropped.
    const stop = new AbortController();
    const copy = copyRequestBody(request, upstream, maxBytes, stop.signal);
    let bytes: number | undefined;
    let reply: IncomingMessage | undefined;
    try {
      const first = await Promise.race([copy.then((n) => ({ sent: n })), answer.then((r) => ({ answered: r }))]);
      if ('sent' in first) bytes = first.sent;
      else {
        reply = first.answered;
        stop.abort();
        await copy.catch(() => undefined);
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        upstream.destroy();
        logger.info({ ...log, maxBytes }, 'upload refused: too large');
        refuse(413, 'PAYLOAD_TOO_LARGE', tooLarge);
        return true;
      }
      if (error instanceof BodyAborted) {
        upstream.destroy();
        logger.info(log, `upload abandoned by the client: ${error.message}`);
        response.destroy();
        return true;
      }
      // The connection to ingest broke (it cannot be reached, or closed after refusing): its
      // answer, when one came, says why.
      stop.abort();
      const grace = new AbortController();
      reply = await Promise.race([answer.catch(() => undefined), delay(ANSWER_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
      grace.abort();
      if (!reply) {
        upstream.destroy();
        logger.warn({ ...log, error: error instanceof Error ? error.message : String(error) }, 'upload failed: the ingest service did not take it');
        refuse(502, 'SUBGRAPH_UNAVAILABLE', 'the ingest service is unavailable: the upload was not stored');
        return true;
      }
    }

    let body: Buffer;
    let status: number;
    try {
      reply ??= await answer;
      status = reply.statusCode ?? 502;
      body = await readAnswer(reply);
    } catch (error) {
      upstream.destroy();
      logger.warn({ ...log, error: error instanceof Error ? error.message : String(error) }, 'upload failed: no answer from the ingest service');
      refuse(502, 'SUBGRAPH_UNAVAILABLE', 'the ingest service did not answer: the upload may not have been stored');
      return true;
    }
    const whole = bytes !== undefined;
    if (status === 401) {
      // Ingest refused the gateway itself (a secret that differs): not the caller's credentials.
      upstream.destroy();
      logger.error({ ...log, status }, 'upload failed: the ingest service refused the gateway\'s secret (SEG_GATEWAY_SECRET differs)');
      refuse(502, 'SUBGRAPH_FAILED', 'the ingest service refused the upload (HTTP 401): see the gateway log');
      return true;
    }
    response.writeHead(status, { ...head, 'content-type': reply.headers['content-type'] ?? 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    response.end(body);
    if (!whole) {
      upstream.destroy();
      discardRequestBody(request);
    }
    logger.info({ ...log, status, bytes, ms: Math.round(performance.now() - started) }, whole ? 'upload forwarded' : 'upload refused by the ingest service');
    return true;
  };
}
