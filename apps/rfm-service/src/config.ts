import { loadServiceConfig, type ServiceSettings } from '@seg/platform-config';

export type RfmConfig = ServiceSettings;

/** Parses the rfm service's environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): RfmConfig {
  return loadServiceConfig('rfm', env, {});
}
