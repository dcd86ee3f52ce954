import { maskInternalError } from './gateway-server';

describe('maskInternalError', () => {
  const internal = { message: 'request to http://10.0.0.7:4004/graphql failed', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

  it('hides the details of unexpected errors in production', () => {
    expect(maskInternalError(internal, true).message).not.toContain('10.0.0.7');
    expect(maskInternalError(internal, true).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(maskInternalError({ message: 'no code' }, true).message).toContain('x-correlation-id');
  });

  it('keeps expected errors, and everything outside production', () => {
    const forbidden = { message: 'this operation needs the admin role', extensions: { code: 'FORBIDDEN' } };
    expect(maskInternalError(forbidden, true)).toBe(forbidden);
    expect(maskInternalError(internal, false)).toBe(internal);
  });
});

describe('maskInternalError and subgraph failures', () => {
  it('keeps the name of a failed subgraph in production, and drops the other details', () => {
    const fromSubgraph = { message: 'connect ECONNREFUSED 10.0.0.7:4004', extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'profiling', response: { url: 'http://10.0.0.7:4004/graphql' } } };
    const masked = maskInternalError(fromSubgraph, true);
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', serviceName: 'profiling' });
    expect(JSON.stringify(masked)).not.toContain('10.0.0.7');
    const unavailable = { message: 'the profiling subgraph is unavailable: its fields are missing from this answer', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'profiling' } };
    expect(maskInternalError(unavailable, true)).toBe(unavailable);
  });
});
