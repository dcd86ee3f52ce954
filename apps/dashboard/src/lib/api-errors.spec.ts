import { describeApiError, describeHttpStatus, missingFromSchema } from './api-errors';

describe('describeApiError', () => {
  it('reads GraphQL errors with codes (as Apollo Client combines them)', () => {
    expect(describeApiError({ errors: [{ message: 'missing API key', extensions: { code: 'UNAUTHENTICATED' } }] }).kind).toBe('unauthenticated');
    const forbidden = describeApiError({ errors: [{ message: 'this operation needs the marketer role', extensions: { code: 'FORBIDDEN' } }] });
    expect(forbidden).toEqual({ kind: 'forbidden', code: 'FORBIDDEN', message: 'The server refused: this operation needs the marketer role' });
    expect(describeApiError({ errors: [{ message: 'too costly', extensions: { code: 'QUERY_TOO_COSTLY' } }] }).kind).toBe('too-costly');
    expect(describeApiError({ errors: [{ message: 'first must be 1..250', extensions: { code: 'BAD_USER_INPUT' } }] })).toEqual({ kind: 'invalid', code: 'BAD_USER_INPUT', message: 'first must be 1..250' });
  });

  it('recognises a query that uses what this gateway does not offer yet', () => {
    const problem = describeApiError({ errors: [{ message: 'Cannot query field "segment" on type "Query". Did you mean "segments"?', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    expect(problem.kind).toBe('unavailable');
    expect(problem.message).toBe('This gateway does not offer Query.segment yet.');
    expect(missingFromSchema('Unknown argument "orderBy" on field "Segment.customers".')).toBe('Segment.customers(orderBy)');
    expect(missingFromSchema('Unknown type "CouponRuleInput".')).toBe('CouponRuleInput');
    expect(missingFromSchema('Syntax Error')).toBeUndefined();
  });

  it('reads an HTTP error whose body holds GraphQL errors, and a bare status', () => {
    expect(describeApiError({ statusCode: 401, bodyText: '{"errors":[{"message":"unknown API key","extensions":{"code":"UNAUTHENTICATED"}}]}' }).kind).toBe('unauthenticated');
    expect(describeApiError({ statusCode: 502, bodyText: 'Bad Gateway' }).kind).toBe('network');
    expect(describeApiError({ statusCode: 500, bodyText: '' })).toEqual({ kind: 'server', message: 'The gateway answered HTTP 500.' });
  });

  it('calls a failed fetch a network problem', () => {
    expect(describeApiError(new TypeError('Failed to fetch')).kind).toBe('network');
    expect(describeApiError(new Error('boom'))).toEqual({ kind: 'server', message: 'boom' });
  });
});

describe('describeHttpStatus', () => {
  it('explains the statuses of the CSV export', () => {
    expect(describeHttpStatus(401).kind).toBe('unauthenticated');
    expect(describeHttpStatus(403).kind).toBe('forbidden');
    expect(describeHttpStatus(404).kind).toBe('not-found');
    expect(describeHttpStatus(403, '{"errors":[{"message":"needs marketer","extensions":{"code":"FORBIDDEN"}}]}').message).toBe('The server refused: needs marketer');
  });
});
