import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';

/** A request body above the size its endpoint accepts (HTTP 413). */
export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** The client went away (or broke the connection) before its request body ended. */
export class BodyAborted extends Error {
  override readonly name = 'BodyAborted';
}

/**
 * The body length a request declares, or undefined when it declares none (chunked) or an
 * unreadable one (which the streamed count then limits anyway).
 */
export function declaredBodyLength(request: Pick<IncomingMessage, 'headers'>): number | undefined {
  const value = request.headers['content-length'];
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) ? length : undefined;
}

/**
 * Copies a request body into `destination` (a file, an upstream request) as it arrives, without
 * holding more than the streams' buffers in memory, and ends `destination` when the body ends.
 * Resolves with the number of bytes once `destination` has taken them all ('finish').
 *
 * Rejects with {@link BodyTooLarge} as soon as the body passes `maxBytes`, with {@link BodyAborted}
 * when the client goes away first, with `destination`'s error, or with the reason of `signal`
 * (the caller stops the copy). In every case `destination` is neither ended nor destroyed (the
 * caller removes what it wrote) and the request is paused but not destroyed, so that the caller
 * can still answer (413, 400) on its connection.
 */
export function copyRequestBody(request: Readable, destination: Writable, maxBytes: number, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let settled = false;
    let ended = false;
    const onDrain = () => {
      if (!settled) request.resume();
    };
    const settle = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      destination.off('finish', onFinish);
      destination.off('drain', onDrain);
      signal?.removeEventListener('abort', onAbort);
      // The error listeners stay: a stream that fails later (the client going away after a 413)
      // must not throw for want of a listener.
      if (error) {
        request.pause();
        reject(error);
      } else resolve(bytes);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) return settle(new BodyTooLarge(maxBytes));
      if (!destination.write(chunk)) {
        request.pause();
        destination.once('drain', onDrain);
      }
    };
    const onEnd = () => {
      ended = true;
      destination.end();
    };
    const onFinish = () => settle(undefined);
    const onRequestError = (error: Error) => settle(new BodyAborted(`the request body broke off: ${error.message}`));
    const onClose = () => {
      if (!ended) settle(new BodyAborted('the client closed the connection before the request body ended'));
    };
    const onDestinationError = (error: Error) => settle(error);
    const onAbort = () => settle(signal?.reason instanceof Error ? signal.reason : new Error('the copy was stopped'));
    if (signal?.aborted) return settle(new Error('the copy was stopped before it started'));
    signal?.addEventListener('abort', onAbort);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onRequestError);
    request.on('close', onClose);
    destination.on('finish', onFinish);
    destination.on('error', onDestinationError);
  });
}

/**
 * After an answer sent before the request body was read whole (a refusal: 401, 403, 413, ...):
 * reads and drops what still arrives, for at most `lingerMs` or `maxBytes`, then closes the
 * connection if the body has not ended by then. Closing at once with unread data would reset the
 * connection, and the client, still sending, could lose the answer; reading on for ever would let
 * it push any amount through. A client that stops sending once it has the answer is let go sooner.
 */
export function discardRequestBody(request: IncomingMessage, options: { readonly lingerMs?: number; readonly maxBytes?: number } = {}): void {
  if (request.complete || request.destroyed) return;
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  let dropped = 0;
  const close = () => {
    clearTimeout(timer);
    request.off('data', onData);
    request.socket?.destroy();
  };
  const onData = (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > maxBytes) close();
  };
  const timer = setTimeout(close, options.lingerMs ?? 5_000);
  timer.unref();
  request.on('data', onData);
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.on('error', () => undefined);
  request.resume();
}
