import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * Depth of an operation: the number of nested field levels, `{ customer { rfm { code } } }` being
 * 3. Fragments and inline fragments add no level of their own. Meta-fields (`__schema`, `__type`,
 * `__typename`) are not counted: introspection is refused outright in production, and in
 * development the standard introspection query is deeper than any real operation.
 * Each named fragment is measured once, so fragments spread many times cost no extra work.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): number {
  const fragmentDepths = new Map<string, number>();
  const inProgress = new Set<string>();

  const fragmentDepth = (name: string): number => {
    const known = fragmentDepths.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Unknown or cyclic spreads are validation errors reported elsewhere; they add no depth here.
    if (!fragment || inProgress.has(name)) return 0;
    inProgress.add(name);
    const depth = selectionSetDepth(fragment.selectionSet);
    inProgress.delete(name);
    fragmentDepths.set(name, depth);
    return depth;
  };

  const selectionSetDepth = (selectionSet: SelectionSetNode): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      let depth: number;
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.name.value.startsWith('__')) depth = 0;
          else depth = 1 + (selection.selectionSet ? selectionSetDepth(selection.selectionSet) : 0);
          break;
        case Kind.INLINE_FRAGMENT:
          depth = selectionSetDepth(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD:
          depth = fragmentDepth(selection.name.value);
          break;
      }
      if (depth > deepest) deepest = depth;
    }
    return deepest;
  };

  return selectionSetDepth(operation.selectionSet);
}

/** The named fragments of a document, for `operationDepth`. */
export function fragmentsOf(document: DocumentNode): ReadonlyMap<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** The error an operation deeper than the limit gets (HTTP 400, code QUERY_TOO_DEEP). */
export function queryTooDeep(depth: number, maxDepth: number): GraphQLError {
  return new GraphQLError(`the operation is ${depth} levels deep; the limit is ${maxDepth}`, {
    extensions: { code: 'QUERY_TOO_DEEP', http: { status: 400 } },
  });
}

/**
 * Refuses operations nested deeper than `maxDepth` after parsing and validation and before any
 * subgraph is called, so a deep query costs the subgraphs nothing.
 */
export function queryDepthLimitPlugin<TContext extends object>(maxDepth: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document }) {
          if (!operation) return;
          const depth = operationDepth(operation, fragmentsOf(document));
          if (depth > maxDepth) throw queryTooDeep(depth, maxDepth);
        },
      };
    },
  };
}
