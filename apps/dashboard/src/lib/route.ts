// The app's pages live in the URL fragment (#/segments/<id>), so any static server can serve the
// build and every page can be bookmarked and reloaded.

export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'charts' }
  | { readonly page: 'segment'; readonly id: string }
  | { readonly page: 'customer'; readonly id?: string }
  | { readonly page: 'imports' };

/** The page a location hash names; anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '');
  const [head, ...rest] = path.split('/');
  const id = rest.length > 0 ? safeDecode(rest.join('/')) : undefined;
  switch (head) {
    case 'charts':
      return { page: 'charts' };
    case 'imports':
      return { page: 'imports' };
    case 'segments':
      return id ? { page: 'segment', id } : { page: 'overview' };
    case 'customers':
      return id ? { page: 'customer', id } : { page: 'customer' };
    default:
      return { page: 'overview' };
  }
}

function safeDecode(text: string): string | undefined {
  try {
    const decoded = decodeURIComponent(text);
    return decoded.length > 0 ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** The hash of a page: hrefFor({ page: 'segment', id: 'm3-1' }) -> "#/segments/m3-1". */
export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'charts':
      return '#/charts';
    case 'imports':
      return '#/imports';
    case 'segment':
      return `#/segments/${encodeURIComponent(route.id)}`;
    case 'customer':
      return route.id ? `#/customers/${encodeURIComponent(route.id)}` : '#/customers';
  }
}
