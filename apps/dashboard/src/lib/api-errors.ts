// One place that turns whatever a request failed with (GraphQL errors, an HTTP status, a network
// failure) into a kind the pages react to and a sentence a person can act on.

export type ApiProblemKind = 'unauthenticated' | 'forbidden' | 'unavailable' | 'not-found' | 'invalid' | 'too-costly' | 'network' | 'server';

export interface ApiProblem {
  readonly kind: ApiProblemKind;
  readonly message: string;
  readonly code?: string;
}

interface ErrorShape {
  readonly message: string;
  readonly code?: string;
}

function graphQLErrorsOf(value: unknown): ErrorShape[] {
  if (typeof value !== 'object' || value === null) return [];
  const errors = (value as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((e: unknown) => {
    if (typeof e !== 'object' || e === null) return [];
    const message = (e as { message?: unknown }).message;
    const extensions = (e as { extensions?: unknown }).extensions;
    const code = typeof extensions === 'object' && extensions !== null ? (extensions as { code?: unknown }).code : undefined;
    return [{ message: typeof message === 'string' ? message : 'unknown error', ...(typeof code === 'string' ? { code } : {}) }];
  });
}

function bodyErrorsOf(bodyText: unknown): ErrorShape[] {
  if (typeof bodyText !== 'string' || bodyText.length === 0) return [];
  try {
    return graphQLErrorsOf(JSON.parse(bodyText));
  } catch {
    return [];
  }
}

const MISSING_IN_SCHEMA = /Cannot query field "([^"]+)" on type "([^"]+)"|Unknown argument "([^"]+)" on field "([^"]+)"|Unknown type "([^"]+)"/;

/** The field, argument or type a query used that this gateway's schema does not have. */
export function missingFromSchema(message: string): string | undefined {
  const match = MISSING_IN_SCHEMA.exec(message);
  if (!match) return undefined;
  if (match[1]) return `${match[2]}.${match[1]}`;
  if (match[3]) return `${match[4]}(${match[3]})`;
  return match[5];
}

function fromErrors(errors: readonly ErrorShape[], status?: number): ApiProblem | undefined {
  const first = errors[0];
  if (!first) return undefined;
  const codes = new Set(errors.map((e) => e.code));
  if (codes.has('UNAUTHENTICATED') || status === 401) return { kind: 'unauthenticated', code: 'UNAUTHENTICATED', message: 'The gateway does not accept this API key. Sign in again with a valid key.' };
  if (codes.has('FORBIDDEN') || status === 403) {
    const forbidden = errors.find((e) => e.code === 'FORBIDDEN') ?? first;
    return { kind: 'forbidden', code: 'FORBIDDEN', message: `The server refused: ${forbidden.message}` };
  }
  const missing = errors.map((e) => missingFromSchema(e.message)).find((m) => m !== undefined);
  if (missing) return { kind: 'unavailable', code: 'GRAPHQL_VALIDATION_FAILED', message: `This gateway does not offer ${missing} yet.` };
  if (codes.has('QUERY_TOO_COSTLY')) return { kind: 'too-costly', code: 'QUERY_TOO_COSTLY', message: `The gateway refused a query as too costly: ${first.message}` };
  if (codes.has('BAD_USER_INPUT') || codes.has('GRAPHQL_VALIDATION_FAILED')) return { kind: 'invalid', code: first.code ?? 'BAD_USER_INPUT', message: first.message };
  return { kind: 'server', ...(first.code ? { code: first.code } : {}), message: first.message };
}

/** Describes a failed request: an Apollo Client error, a fetch failure, or an HTTP status with its body. */
export function describeApiError(error: unknown): ApiProblem {
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  const httpStatus = typeof status === 'number' ? status : undefined;
  const described = fromErrors(graphQLErrorsOf(error), httpStatus) ?? fromErrors(bodyErrorsOf((error as { bodyText?: unknown } | null)?.bodyText), httpStatus);
  if (described) return described;
  if (httpStatus !== undefined) return describeHttpStatus(httpStatus);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TypeError || /fetch|network|Load failed/i.test(message)) return { kind: 'network', message: 'The gateway cannot be reached. Check that the platform is running, then retry.' };
  return { kind: 'server', message };
}

/** What an HTTP status without a GraphQL body means to a person (the CSV export, a proxy in between). */
export function describeHttpStatus(status: number, body?: string): ApiProblem {
  const fromBody = fromErrors(bodyErrorsOf(body), status);
  if (fromBody) return fromBody;
  if (status === 401) return { kind: 'unauthenticated', message: 'The gateway does not accept this API key. Sign in again with a valid key.' };
  if (status === 403) return { kind: 'forbidden', message: 'The server refused: this API key\'s role may not do this.' };
  if (status === 404) return { kind: 'not-found', message: 'Not found: the gateway does not know this address or item.' };
  if (status === 502 || status === 503 || status === 504) return { kind: 'network', message: `The gateway is not reachable (HTTP ${status}). Check that the platform is running, then retry.` };
  return { kind: 'server', message: `The gateway answered HTTP ${status}.` };
}
