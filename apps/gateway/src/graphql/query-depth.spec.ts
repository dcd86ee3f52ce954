import { ApolloServer } from '@apollo/server';
import { gql } from 'graphql-tag';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { fragmentsOf, operationDepth, queryDepthLimitPlugin } from './query-depth';

function depthOf(query: string, operationName?: string): number {
  const document = parse(query);
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName),
  );
  if (!operation) throw new Error('no operation');
  return operationDepth(operation, fragmentsOf(document));
}

describe('operationDepth', () => {
  it('counts nested field levels', () => {
    expect(depthOf('{ segments { name } }')).toBe(2);
    expect(depthOf('{ customer(id: "1") { id rfm { code } segment { coupon { offer } } } }')).toBe(4);
    expect(depthOf('{ rfmSummary { customers } importJobs { rejectedRows { code } } }')).toBe(3);
  });

  it('looks through named and inline fragments without counting them as levels', () => {
    const query = `
      query { customer(id: "1") { ...Profile } }
      fragment Profile on Customer { segment { ... on Segment { coupon { ...Coupon } } } }
      fragment Coupon on CouponRule { offer }
    `;
    expect(depthOf(query)).toBe(4);
  });

  it('measures the selected operation only', () => {
    const query = 'query Shallow { segments { name } } query Deep { customer(id: "1") { segment { coupon { offer } } } }';
    expect(depthOf(query, 'Shallow')).toBe(2);
    expect(depthOf(query, 'Deep')).toBe(4);
  });

  it('does not count meta-fields such as the introspection query', () => {
    expect(depthOf('{ __typename }')).toBe(0);
    expect(depthOf('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }')).toBe(0);
    expect(depthOf('{ segments { __typename name } }')).toBe(2);
  });

  it('stays finite on cyclic or unknown fragments (validation reports them)', () => {
    expect(depthOf('{ a { ...A } } fragment A on T { b { ...A } }')).toBe(2);
    expect(depthOf('{ a { ...Missing } }')).toBe(1);
  });

  it('measures a fragment spread many times once', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on T { a { ...F${i + 1} } b { ...F${i + 1} } }`).join('\n');
    const started = Date.now();
    expect(depthOf(`{ root { ...F0 } } ${fragments} fragment F${levels} on T { leaf }`)).toBe(levels + 2);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('queryDepthLimitPlugin', () => {
  // A recursive schema, so that any depth can be asked for.
  const server = new ApolloServer({
    typeDefs: gql`
      type Node {
        id: ID!
        child: Node
      }
      type Query {
        node: Node
      }
    `,
    resolvers: { Query: { node: () => ({ id: '1' }) }, Node: { child: () => ({ id: '2' }) } },
    plugins: [queryDepthLimitPlugin(3)],
  });
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  async function run(query: string) {
    const response = await server.executeOperation({ query });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, result: response.body.singleResult };
  }

  it('lets an operation at the limit through', async () => {
    const { result } = await run('{ node { child { id } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ node: { child: { id: '2' } } });
  });

  it('refuses a deeper operation with QUERY_TOO_DEEP, HTTP 400 and no data', async () => {
    const { status, result } = await run('{ node { child { child { id } } } }');
    expect(status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({ message: 'the operation is 4 levels deep; the limit is 3', extensions: { code: 'QUERY_TOO_DEEP' } }),
    ]);
  });

  it('refuses depth hidden in fragments', async () => {
    const { result } = await run('{ node { ...Deep } } fragment Deep on Node { child { child { id } } }');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_DEEP');
  });
});
