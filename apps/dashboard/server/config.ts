import { join } from 'node:path';
import { commonEnv, parseConfig, portSchema } from '@seg/platform-config';
import { z } from 'zod';

const dashboardEnv = z.object({
  NODE_ENV: commonEnv.NODE_ENV,
  SEG_LOG_LEVEL: commonEnv.SEG_LOG_LEVEL,
  SEG_DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  SEG_DASHBOARD_PORT: portSchema.default(4005),
  SEG_DASHBOARD_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be the gateway\'s http(s) origin, such as http://127.0.0.1:4000' }).optional(),
  SEG_DASHBOARD_ROOT: z.string().min(1).optional(),
  SEG_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  SEG_GATEWAY_PORT: portSchema.default(4000),
});

export interface DashboardConfig {
  readonly logLevel: string;
  readonly host: string;
  readonly port: number;
  /** The gateway's origin (no path): /graphql, /exports/... and /imports[/...] are forwarded there. */
  readonly gatewayOrigin: string;
  /** The built browser app (index.html and assets/). */
  readonly staticRoot: string;
}

/**
 * Parses the dashboard server's environment once at start; throws a ConfigError naming every
 * problem. Without SEG_DASHBOARD_GATEWAY_URL the gateway is the one the main job runs
 * (SEG_GATEWAY_HOST and SEG_GATEWAY_PORT, a wildcard host read as the loopback address).
 */
export function loadDashboardConfig(env: Readonly<Record<string, string | undefined>>, bundleDir: string): DashboardConfig {
  const parsed = parseConfig(dashboardEnv, env);
  const gatewayHost = ['0.0.0.0', '::', '[::]'].includes(parsed.SEG_GATEWAY_HOST) ? '127.0.0.1' : parsed.SEG_GATEWAY_HOST;
  const gateway = new URL(parsed.SEG_DASHBOARD_GATEWAY_URL ?? `http://${gatewayHost}:${parsed.SEG_GATEWAY_PORT}`);
  return {
    logLevel: parsed.SEG_LOG_LEVEL,
    host: parsed.SEG_DASHBOARD_HOST,
    port: parsed.SEG_DASHBOARD_PORT,
    gatewayOrigin: gateway.origin,
    staticRoot: parsed.SEG_DASHBOARD_ROOT ?? join(bundleDir, 'public'),
  };
}
