import { z } from 'zod';
import { loadServiceConfig, type ServiceSettings } from '@seg/platform-config';

export interface RfmConfig extends ServiceSettings {
  /**
   * Fetch sizes of the lines consumer, in bytes. A batch of one partition's lines is one database
   * transaction, whose cost is partly fixed (round trips, the commit's flush), and its customers'
   * metrics are published once per batch: bigger batches store more lines per second while a
   * backlog drains. With the default 8 MiB, about 33,000 lines of v3 events (~160 bytes each) per
   * batch; rfm alone stored the full file at 113,000-121,000 lines/s, against 84,000-92,000 with
   * 4 MiB; 16 MiB (121,000-130,000) took 100 MiB more memory (bench/PIPELINE.md, section 9). While
   * the service keeps up with an import, the import lane's fetch waits for `minBytes`
   * (SEG_RFM_FETCH_MIN_BYTES) or `maxWaitTimeInMs` (SEG_RFM_FETCH_MAX_WAIT_MS), whichever comes
   * first, so that its batches do not shrink to a few hundred lines each; the live lane answers at
   * once.
   */
  readonly fetch: { readonly maxBytesPerPartition: number; readonly maxBytes: number; readonly minBytes: number; readonly maxWaitTimeInMs: number };
  /**
   * Batches of lines handled at once, each of another partition (so of other customers): while
   * one waits for MariaDB, the service decodes and prepares the next. Two by default: the write
   * path alone stores 1.2-1.45x the lines per second (bench/rfm-write.ts --concurrency 2), and
   * with the whole platform running rfm finishes a backfill of the full file about a second
   * sooner (bench/PIPELINE.md, section 6). Each lane has its own.
   */
  readonly concurrency: number;
}

/** Parses the rfm service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): RfmConfig {
  const config = loadServiceConfig('rfm', env, {
    SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
    SEG_RFM_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(32).default(2),
    SEG_RFM_FETCH_MIN_BYTES: z.coerce.number().int().min(1).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    SEG_RFM_FETCH_MAX_WAIT_MS: z.coerce.number().int().min(0).max(5_000).default(200),
  });
  const perPartition = config.env.SEG_RFM_FETCH_MAX_BYTES_PER_PARTITION;
  return {
    ...config,
    // Room for four partitions' batches per fetch (kafkajs' default total is 10 MiB).
    fetch: {
      maxBytesPerPartition: perPartition,
      maxBytes: Math.max(10 * 1024 * 1024, 4 * perPartition),
      minBytes: config.env.SEG_RFM_FETCH_MIN_BYTES,
      maxWaitTimeInMs: config.env.SEG_RFM_FETCH_MAX_WAIT_MS,
    },
    concurrency: config.env.SEG_RFM_PARTITIONS_CONCURRENTLY,
  };
}
