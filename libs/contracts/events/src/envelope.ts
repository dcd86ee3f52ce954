import { z } from 'zod';

/**
 * The JSON envelope every event travels in. `type` and `version` name the contract; the topic
 * carries the same pair, so a consumer can reject a message published on the wrong topic.
 */
export interface EventEnvelope<TType extends string, TVersion extends number, TData> {
  readonly type: TType;
  readonly version: TVersion;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly producer: string;
  readonly data: TData;
}

export const envelopeHeaderSchema = z.object({
  type: z.string().min(1),
  version: z.number().int().positive(),
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  producer: z.string().min(1),
  data: z.unknown(),
});

export type DecodeFailure = { readonly code: 'NOT_JSON' | 'BAD_ENVELOPE' | 'WRONG_TYPE' | 'BAD_PAYLOAD'; readonly reason: string };
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DecodeFailure };

/** Formats zod issues as `path: message; path: message`, short enough for logs and dead letters. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
