/**
 * Composes the four subgraph schemas into apps/gateway/supergraph.graphql, the file the gateway
 * serves (composition happens here, ahead of time, never at gateway start).
 *
 *   npx tsx tools/compose-supergraph.ts           write the file; exit 1 on composition errors
 *   npx tsx tools/compose-supergraph.ts --check   exit 1 when the committed file is out of date
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeSupergraph, renderSupergraphFile } from '../apps/gateway/src/supergraph/compose';
import { SUBGRAPHS } from '../apps/gateway/src/supergraph/subgraphs';
import { SUPERGRAPH_FILE } from '../apps/gateway/src/supergraph/supergraph-file';

function main(args: readonly string[]): number {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument(s): ${unknown.join(' ')}\nusage: tsx tools/compose-supergraph.ts [--check]`);
    return 2;
  }
  const check = args.includes('--check');
  const target = resolve(__dirname, '..', SUPERGRAPH_FILE);

  const result = composeSupergraph(SUBGRAPHS);
  if ('errors' in result) {
    console.error(`supergraph composition failed with ${result.errors.length} error(s):`);
    for (const error of result.errors) console.error(`  [${error.code}] ${error.message}`);
    return 1;
  }
  for (const hint of result.hints) console.warn(`composition hint: ${hint}`);
  const content = renderSupergraphFile(result.supergraphSdl);
  const subgraphNames = SUBGRAPHS.map((subgraph) => subgraph.name).join(', ');

  if (check) {
    const committed = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (committed === undefined) {
      console.error(`supergraph is missing (${SUPERGRAPH_FILE}): run npm run compose-supergraph`);
      return 1;
    }
    if (committed !== content) {
      console.error(`supergraph is out of date: run npm run compose-supergraph (${SUPERGRAPH_FILE} differs from a fresh composition of ${subgraphNames})`);
      return 1;
    }
    console.log(`${SUPERGRAPH_FILE} is up to date (${subgraphNames})`);
    return 0;
  }

  writeFileSync(target, content);
  console.log(`wrote ${SUPERGRAPH_FILE} from ${subgraphNames}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
