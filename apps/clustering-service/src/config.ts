import { z } from 'zod';
import { loadServiceConfig, type ServiceSettings } from '@seg/platform-config';

export interface TrainingPolicy {
  /** Number of clusters when a training run does not ask for one. */
  readonly k: number;
  readonly seed: number;
  readonly restarts: number;
  /** No model is trained before this many customers exist. */
  readonly minCustomers: number;
  /**
   * Retrain once this many customers changed since the current model (and at least this share of
   * it), or once this many customers are new to it (whatever the share).
   */
  readonly retrainMinChanged: number;
  readonly retrainChangedShare: number;
  /** Wait for the metric stream to stay quiet this long before an automatic training run. */
  readonly quietMs: number;
  /**
   * Most of the service's time automatic training runs may take: after a run of d ms, the next
   * automatic one waits until d x (1 / share - 1) ms have passed (a backfill would otherwise train
   * again at every pause of the stream). On-demand and scheduled runs are not held back.
   */
  readonly maxTrainingShare: number;
  /**
   * When the analysis date moves by a day, every customer's recency changes and everyone is placed
   * again, but not more often than this (ms): a backfill moves the date with almost every batch.
   * Meanwhile a batch's own customers are placed at the new date at once, and the rest follow when
   * the interval is over.
   */
  readonly replaceEveryoneIntervalMs: number;
  /** Scheduled retraining: every this many ms when any customer changed since the last model (0: off). */
  readonly scheduleMs: number;
}

export interface ClusteringConfig extends ServiceSettings {
  readonly training: TrainingPolicy;
}

const trainingEnv = {
  SEG_CLUSTER_K: z.coerce.number().int().min(2).max(20).default(5),
  SEG_CLUSTER_SEED: z.coerce.number().int().default(42),
  SEG_CLUSTER_RESTARTS: z.coerce.number().int().min(1).max(100).default(10),
  SEG_TRAIN_MIN_CUSTOMERS: z.coerce.number().int().min(2).default(20),
  SEG_RETRAIN_MIN_CHANGED: z.coerce.number().int().min(1).default(50),
  SEG_RETRAIN_CHANGED_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  SEG_TRAIN_QUIET_MS: z.coerce.number().int().min(0).default(3_000),
  SEG_TRAIN_MAX_SHARE: z.coerce.number().gt(0).max(1).default(0.25),
  SEG_REPLACE_EVERYONE_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  SEG_TRAIN_SCHEDULE_MS: z.coerce.number().int().min(0).default(6 * 3_600_000),
};

/** Parses the clustering service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ClusteringConfig {
  const config = loadServiceConfig('clustering', env, trainingEnv);
  const parsed = config.env;
  return {
    ...config,
    training: {
      k: parsed.SEG_CLUSTER_K,
      seed: parsed.SEG_CLUSTER_SEED,
      restarts: parsed.SEG_CLUSTER_RESTARTS,
      minCustomers: parsed.SEG_TRAIN_MIN_CUSTOMERS,
      retrainMinChanged: parsed.SEG_RETRAIN_MIN_CHANGED,
      retrainChangedShare: parsed.SEG_RETRAIN_CHANGED_SHARE,
      quietMs: parsed.SEG_TRAIN_QUIET_MS,
      maxTrainingShare: parsed.SEG_TRAIN_MAX_SHARE,
      replaceEveryoneIntervalMs: parsed.SEG_REPLACE_EVERYONE_INTERVAL_MS,
      scheduleMs: parsed.SEG_TRAIN_SCHEDULE_MS,
    },
  };
}
