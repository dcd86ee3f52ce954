import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type DirectiveNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { fragmentsOf } from './query-depth';

/**
 * The size assumed for a list whose field has no `first` argument (`segments`,
 * `couponRecommendations`, `kSweep`, ...). Lists with `first` count `first` items, or the
 * argument's default when the operation leaves it out.
 */
export const ASSUMED_LIST_SIZE = 10;

/** The argument that bounds a list or a connection. */
const PAGE_SIZE_ARGUMENT = 'first';

type Variables = Readonly<Record<string, unknown>>;

/** How many lists wrap a field's type: 0 for `Segment`, 1 for `[Segment!]!`, 2 for `[[Int]]`. */
function listLevels(type: GraphQLOutputType): number {
  let levels = 0;
  let current: GraphQLType = type;
  for (;;) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      levels++;
      current = current.ofType;
    } else return levels;
  }
}

/**
 * Static cost of an operation against a schema, before anything runs:
 *
 * - every field costs 1 (meta-fields such as `__typename` and introspection cost nothing);
 * - a list field costs 1 plus its selection's cost times its size: its `first` argument (a literal
 *   or a variable), else that argument's default, else {@link ASSUMED_LIST_SIZE};
 * - a connection (a field with a `first` argument that returns an object, such as
 *   `customers(first: 250) { nodes { ... } edges { node { ... } } pageInfo { ... } }`) passes its
 *   size to the lists directly in its selection (`nodes`, `edges`), so `pageInfo` counts once;
 * - a list of lists multiplies by the assumed size once more per inner level;
 * - named and inline fragments add the cost of their selections (all of them: a union's branches
 *   are added up, not maxed); a fragment spread many times is computed once per size;
 * - fields skipped with `@skip(if: true)` or `@include(if: false)` cost nothing.
 *
 * Unknown fields and fragments or cyclic spreads are validation errors reported elsewhere; here
 * an unknown field costs 1 and a cycle nothing, so the function stays finite.
 */
export function operationCost(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  schema: GraphQLSchema,
  variables: Variables = {},
): number {
  const variableDefaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) variableDefaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  const literal = (node: ValueNode): unknown => {
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (name in variables) return variables[name];
      const fallback = variableDefaults.get(name);
      return fallback ? literal(fallback) : undefined;
    }
    if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
    if (node.kind === Kind.BOOLEAN) return node.value;
    return undefined;
  };

  const skipped = (directives: readonly DirectiveNode[] | undefined): boolean => {
    for (const directive of directives ?? []) {
      const condition = directive.arguments?.find((argument) => argument.name.value === 'if');
      const value = condition ? literal(condition.value) : undefined;
      if (directive.name.value === 'skip' && value === true) return true;
      if (directive.name.value === 'include' && value === false) return true;
    }
    return false;
  };

  /** The `first` the operation asks for, else the argument's default; undefined when the field has no such argument. */
  const pageSize = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    const argument = field.args.find((arg) => arg.name === PAGE_SIZE_ARGUMENT);
    if (!argument) return undefined;
    const given = node.arguments?.find((arg) => arg.name.value === PAGE_SIZE_ARGUMENT);
    const value = given ? literal(given.value) : argument.defaultValue;
    // A missing, null or non-numeric value is refused by the subgraph; count the assumption.
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.ceil(value)) : ASSUMED_LIST_SIZE;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType | undefined, connectionSize: number | undefined): number => {
    if (node.name.value.startsWith('__')) return 0;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (!field) return 1;
    const size = pageSize(node, field);
    if (!node.selectionSet) return 1;
    const levels = listLevels(field.type);
    if (levels === 0) {
      // A field with `first` that is not itself a list is a connection: its lists take that size.
      return 1 + selectionSetCost(node.selectionSet, getNamedType(field.type), size);
    }
    const multiplier = (size ?? connectionSize ?? ASSUMED_LIST_SIZE) * ASSUMED_LIST_SIZE ** (levels - 1);
    return 1 + multiplier * selectionSetCost(node.selectionSet, getNamedType(field.type), undefined);
  };

  const fragmentCost = (fragment: FragmentDefinitionNode, connectionSize: number | undefined): number => {
    const key = `${fragment.name.value}:${connectionSize ?? ''}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    if (inProgress.has(key)) return 0;
    inProgress.add(key);
    const cost = selectionSetCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), connectionSize);
    inProgress.delete(key);
    fragmentCosts.set(key, cost);
    return cost;
  };

  const selectionSetCost = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, connectionSize: number | undefined): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (skipped(selection.directives)) continue;
      switch (selection.kind) {
        case Kind.FIELD:
          cost += fieldCost(selection, parent, connectionSize);
          break;
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
          cost += selectionSetCost(selection.selectionSet, type, connectionSize);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          if (fragment) cost += fragmentCost(fragment, connectionSize);
          break;
        }
      }
    }
    return cost;
  };

  const root = schema.getRootType(operation.operation) ?? undefined;
  return selectionSetCost(operation.selectionSet, root, undefined);
}

/** The error an operation above the cost limit gets (HTTP 400, code QUERY_TOO_COSTLY). */
export function queryTooCostly(cost: number, limit: number): GraphQLError {
  return new GraphQLError(`the operation costs ${cost}; the limit is ${limit} (each field counts 1, a list multiplies its selection by its size: ask for fewer items or fields)`, {
    extensions: { code: 'QUERY_TOO_COSTLY', cost, limit, http: { status: 400 } },
  });
}

/**
 * Refuses operations whose static cost ({@link operationCost}) is above `maxCost`, after parsing
 * and validation and before any subgraph is called.
 */
export function queryCostLimitPlugin<TContext extends object>(maxCost: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, schema, request }) {
          if (!operation) return;
          const cost = operationCost(operation, fragmentsOf(document), schema, request.variables ?? {});
          if (cost > maxCost) throw queryTooCostly(cost, maxCost);
        },
      };
    },
  };
}
