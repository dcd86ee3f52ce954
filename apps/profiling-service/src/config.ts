import { z } from 'zod';
import { loadServiceConfig, type ServiceSettings } from '@seg/platform-config';

export interface ProfilingConfig extends ServiceSettings {
  /** Share of customers held out (no coupon) in the default campaign, to measure uplift. */
  readonly holdoutShare: number;
}

/** Parses the profiling service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ProfilingConfig {
  const config = loadServiceConfig('profiling', env, {
    SEG_HOLDOUT_SHARE: z.coerce.number().min(0).max(0.5).default(0.1),
  });
  return { ...config, holdoutShare: config.env.SEG_HOLDOUT_SHARE };
}
