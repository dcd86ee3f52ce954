import { hrefFor, parseRoute, type Route } from './route';

describe('routes', () => {
  it('parses every page and falls back to the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/')).toEqual({ page: 'overview' });
    expect(parseRoute('#/charts')).toEqual({ page: 'charts' });
    expect(parseRoute('#/imports')).toEqual({ page: 'imports' });
    expect(parseRoute('#/segments/m3-1')).toEqual({ page: 'segment', id: 'm3-1' });
    expect(parseRoute('#/segments/')).toEqual({ page: 'overview' });
    expect(parseRoute('#/customers')).toEqual({ page: 'customer' });
    expect(parseRoute('#/customers/17850')).toEqual({ page: 'customer', id: '17850' });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'overview' });
  });

  it('round-trips ids with reserved characters and ignores undecodable ones', () => {
    const routes: Route[] = [{ page: 'segment', id: 'a/b c?#' }, { page: 'customer', id: '17850.0' }, { page: 'charts' }, { page: 'imports' }, { page: 'overview' }, { page: 'customer' }];
    for (const route of routes) expect(parseRoute(hrefFor(route))).toEqual(route);
    expect(parseRoute('#/customers/%E0%A4%A')).toEqual({ page: 'customer' });
  });
});
