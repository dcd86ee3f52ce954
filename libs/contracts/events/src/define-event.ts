import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { describeIssues, envelopeHeaderSchema, type Decoded, type EventEnvelope } from './envelope';
import type { TopicSpec } from './topics';

export interface EventMeta {
  readonly correlationId: string;
  readonly producer: string;
  readonly occurredAt?: string;
  readonly eventId?: string;
}

/** One versioned event contract: its topic, its payload schema, a constructor and a decoder. */
export interface EventContract<TType extends string, TVersion extends number, TData> {
  readonly type: TType;
  readonly version: TVersion;
  readonly topic: TopicSpec;
  readonly schema: z.ZodType<TData>;
  create(data: TData, meta: EventMeta): EventEnvelope<TType, TVersion, TData>;
  /** Parses raw bytes or text; never throws. */
  decode(raw: Buffer | string | null): Decoded<EventEnvelope<TType, TVersion, TData>>;
  /**
   * Checks a message already parsed by {@link parseMessage} (a reader that tries several contracts
   * on one message parses it once); never throws.
   */
  decodeParsed(json: unknown): Decoded<EventEnvelope<TType, TVersion, TData>>;
}

/** A message's value as JSON, or why it is none (NOT_JSON); never throws. */
export function parseMessage(raw: Buffer | string | null): Decoded<unknown> {
  if (raw === null) return { ok: false, error: { code: 'NOT_JSON', reason: 'message has no value' } };
  try {
    return { ok: true, value: JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as unknown };
  } catch (error) {
    return { ok: false, error: { code: 'NOT_JSON', reason: `value is not JSON: ${(error as Error).message}` } };
  }
}

export type EnvelopeOf<C> = C extends EventContract<infer T, infer V, infer D> ? EventEnvelope<T, V, D> : never;
export type DataOf<C> = C extends EventContract<string, number, infer D> ? D : never;

export function defineEvent<TType extends string, TVersion extends number, TData>(
  type: TType,
  version: TVersion,
  topic: TopicSpec,
  schema: z.ZodType<TData>,
): EventContract<TType, TVersion, TData> {
  return {
    type,
    version,
    topic,
    schema,
    create(data, meta) {
      return {
        type,
        version,
        eventId: meta.eventId ?? randomUUID(),
        occurredAt: meta.occurredAt ?? new Date().toISOString(),
        correlationId: meta.correlationId,
        producer: meta.producer,
        data,
      };
    },
    decode(raw) {
      const parsed = parseMessage(raw);
      return parsed.ok ? this.decodeParsed(parsed.value) : parsed;
    },
    decodeParsed(json) {
      const header = envelopeHeaderSchema.safeParse(json);
      if (!header.success) return { ok: false, error: { code: 'BAD_ENVELOPE', reason: describeIssues(header.error) } };
      if (header.data.type !== type || header.data.version !== version) {
        return {
          ok: false,
          error: {
            code: 'WRONG_TYPE',
            reason: `expected ${type} v${version}, got ${header.data.type} v${header.data.version}`,
          },
        };
      }
      const data = schema.safeParse(header.data.data);
      if (!data.success) return { ok: false, error: { code: 'BAD_PAYLOAD', reason: describeIssues(data.error) } };
      return { ok: true, value: { ...header.data, type, version, data: data.data } };
    },
  };
}
