// Deep links: every view and object has a URL hash, e.g. `#/local/programs/42`.
// Pure parse/format so links, the back key and tests agree.

export type ViewName = 'overview' | 'programs' | 'maps' | 'links' | 'btf' | 'diagnostics';

export interface Route {
  host: string;
  view: ViewName;
  /** Object id for program and map detail. */
  id?: number;
  /** Free text: the BTF query, a map filter. */
  query?: string;
}

const VIEWS: readonly ViewName[] = ['overview', 'programs', 'maps', 'links', 'btf', 'diagnostics'];

export function parseRoute(hash: string, defaultHost: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [host, view, id] = path.split('/').map((part) => decodeURIComponent(part));
  const route: Route = { host: host || defaultHost, view: VIEWS.includes(view as ViewName) ? (view as ViewName) : 'overview' };
  const n = Number(id);
  if (id && Number.isInteger(n) && n > 0) route.id = n;
  const query = new URLSearchParams(search).get('q');
  if (query) route.query = query;
  return route;
}

export function formatRoute(route: Route): string {
  let hash = `#/${encodeURIComponent(route.host)}/${route.view}`;
  if (route.id !== undefined) hash += `/${route.id}`;
  if (route.query) hash += `?${new URLSearchParams({ q: route.query })}`;
  return hash;
}
