import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/** Where the committed supergraph lives, relative to the repository root. */
export const SUPERGRAPH_FILE = 'apps/gateway/supergraph.graphql';

export type SupergraphLocation = { readonly path: string } | { readonly error: string };

/**
 * Finds the supergraph file the gateway serves: SEG_SUPERGRAPH_PATH when set (it must exist), else
 * a copy next to the running bundle, else the committed file under the working directory.
 */
export function locateSupergraph(
  configuredPath: string | undefined,
  cwd: string,
  entryScript: string | undefined,
  exists: (path: string) => boolean = existsSync,
): SupergraphLocation {
  if (configuredPath !== undefined) {
    const path = isAbsolute(configuredPath) ? configuredPath : resolve(cwd, configuredPath);
    return exists(path) ? { path } : { error: `SEG_SUPERGRAPH_PATH points to ${path}, which does not exist` };
  }
  const candidates = [
    ...(entryScript ? [join(dirname(resolve(cwd, entryScript)), 'supergraph.graphql')] : []),
    resolve(cwd, SUPERGRAPH_FILE),
  ];
  const found = candidates.find((candidate) => exists(candidate));
  if (found) return { path: found };
  return { error: `no supergraph file found (looked at ${candidates.join(', ')}); set SEG_SUPERGRAPH_PATH or run npm run compose-supergraph` };
}

/** The URL a supergraph records for one subgraph (`@join__graph(name: "<name>", url: "...")`), or undefined. */
export function subgraphUrlIn(supergraphSdl: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`@join__graph\\(\\s*name:\\s*"${escaped}"\\s*,\\s*url:\\s*"([^"]*)"`).exec(supergraphSdl)?.[1] || undefined;
}
