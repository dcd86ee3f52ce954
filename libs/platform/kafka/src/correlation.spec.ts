import { batchCorrelation, headerCorrelationId } from './correlation';

describe('batchCorrelation', () => {
  it('gives the first correlation id and the number of distinct ones', () => {
    expect(batchCorrelation([{ correlationId: 'job-1' }, { correlationId: 'job-1' }, { correlationId: 'req-9' }])).toEqual({ correlationId: 'job-1', correlationIds: 2 });
    expect(batchCorrelation([{ correlationId: 'job-1' }])).toEqual({ correlationId: 'job-1', correlationIds: 1 });
  });

  it('has no correlation id for an empty batch', () => {
    expect(batchCorrelation([])).toEqual({ correlationIds: 0 });
  });
});

describe('headerCorrelationId', () => {
  it('reads the header the publisher sets, as a buffer or a string', () => {
    expect(headerCorrelationId({ headers: { 'correlation-id': Buffer.from('job-1') } })).toBe('job-1');
    expect(headerCorrelationId({ headers: { 'correlation-id': ['req-2', 'other'] } })).toBe('req-2');
    expect(headerCorrelationId({ headers: {} })).toBeUndefined();
    expect(headerCorrelationId({})).toBeUndefined();
  });
});
