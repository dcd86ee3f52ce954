import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadServiceConfig, uploadEnv, type ServiceSettings } from '@seg/platform-config';

export interface IngestConfig extends ServiceSettings {
  /** Server-side imports may only read files under these folders. */
  readonly importRoots: readonly string[];
  readonly publishBatchSize: number;
  /** A RUNNING import whose progress has not moved for this long was interrupted. */
  readonly importStaleMs: number;
  /** Where uploaded CSV files are stored until their import ends. */
  readonly uploadDir: string;
  /** The largest upload stored (bytes as sent). */
  readonly maxUploadBytes: number;
}

/** Parses the ingest service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const config = loadServiceConfig('ingest', env, {
    SEG_IMPORT_ROOTS: z.string().default('data'),
    SEG_INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(50_000).default(5_000),
    SEG_IMPORT_STALE_MS: z.coerce.number().int().min(1_000).default(120_000),
    SEG_UPLOAD_DIR: z.string().trim().min(1).default(join(tmpdir(), 'seg-ingest-uploads')),
    ...uploadEnv,
  });
  return {
    ...config,
    importRoots: config.env.SEG_IMPORT_ROOTS.split(',')
      .map((root) => root.trim())
      .filter((root) => root.length > 0)
      .map((root) => resolve(root)),
    publishBatchSize: config.env.SEG_INGEST_BATCH_SIZE,
    importStaleMs: config.env.SEG_IMPORT_STALE_MS,
    uploadDir: resolve(config.env.SEG_UPLOAD_DIR),
    maxUploadBytes: config.env.SEG_MAX_UPLOAD_BYTES,
  };
}
