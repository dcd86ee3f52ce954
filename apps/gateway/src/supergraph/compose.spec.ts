import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gql } from 'graphql-tag';
import { composeSupergraph, renderSupergraphFile } from './compose';
import { SUBGRAPHS } from './subgraphs';
import { SUPERGRAPH_FILE } from './supergraph-file';

describe('supergraph composition', () => {
  const result = composeSupergraph(SUBGRAPHS);

  it('composes the four subgraphs without errors', () => {
    expect(SUBGRAPHS.map((subgraph) => subgraph.name)).toEqual(['ingest', 'rfm', 'clustering', 'profiling']);
    // The messages, not just a count, so a failing run says what to fix.
    expect('errors' in result ? result.errors.map((error) => `[${error.code}] ${error.message}`) : []).toEqual([]);
  });

  it('gives every subgraph its fields on the Customer entity', () => {
    if (!('supergraphSdl' in result)) throw new Error('composition failed');
    for (const graph of ['INGEST', 'RFM', 'CLUSTERING', 'PROFILING']) {
      expect(result.supergraphSdl).toMatch(new RegExp(`type Customer[^{]*@join__type\\(graph: ${graph}, key: "id"\\)`));
    }
  });

  it('matches the committed apps/gateway/supergraph.graphql (else: npm run compose-supergraph)', () => {
    if (!('supergraphSdl' in result)) throw new Error('composition failed');
    const committed = readFileSync(resolve(__dirname, '../../../..', SUPERGRAPH_FILE), 'utf8');
    expect(committed).toBe(renderSupergraphFile(result.supergraphSdl));
  });

  it('returns composition errors as values with their codes', () => {
    const conflicting = composeSupergraph([
      { name: 'a', url: 'http://a/graphql', typeDefs: gql`type Query { total: Int }` },
      { name: 'b', url: 'http://b/graphql', typeDefs: gql`type Query { total: String }` },
    ]);
    expect('errors' in conflicting && conflicting.errors.length).toBeGreaterThan(0);
    if ('errors' in conflicting) {
      for (const error of conflicting.errors) {
        expect(error.code).toMatch(/^[A-Z_]+$/);
        expect(error.message).toContain('total');
      }
    }
  });
});
