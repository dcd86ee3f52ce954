import { randomUUID } from 'node:crypto';

/** Ids a client may choose itself: short, and safe to copy into headers, logs and events. */
const CLIENT_CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The client's correlation id when it is well-formed, else a fresh UUID. */
export function correlationIdFor(clientValue: string | undefined, newId: () => string = randomUUID): string {
  return clientValue !== undefined && CLIENT_CORRELATION_ID.test(clientValue) ? clientValue : newId();
}
