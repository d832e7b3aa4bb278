// Deep links: every view and object has a URL hash, e.g. `#/local/programs/42`.
// `fleet` (the programs of all hosts) is not of one host: its link keeps the host it was opened from.
// Pure parse/format so links, the back key and tests agree.

export type ViewName = 'overview' | 'programs' | 'maps' | 'links' | 'btf' | 'diagnostics' | 'fleet';

export interface Route {
  host: string;
  view: ViewName;
  /** Object id for program and map detail. */
  id?: number;
  /** Free text: the BTF query, a map filter. */
  query?: string;
  /** The BTF object a BTF view is scoped to (a program's or map's); else vmlinux. */
  btf?: number;
}

const VIEWS: readonly ViewName[] = ['overview', 'programs', 'maps', 'links', 'btf', 'diagnostics', 'fleet'];

export function parseRoute(hash: string, defaultHost: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [host, view, id] = path.split('/').map((part) => decodeURIComponent(part));
  const route: Route = { host: host || defaultHost, view: VIEWS.includes(view as ViewName) ? (view as ViewName) : 'overview' };
  const n = Number(id);
  if (id && Number.isInteger(n) && n > 0) route.id = n;
  const params = new URLSearchParams(search);
  const query = params.get('q');
  if (query) route.query = query;
  const btf = Number(params.get('btf'));
  if (Number.isInteger(btf) && btf > 0) route.btf = btf;
  return route;
}

export function formatRoute(route: Route): string {
  let hash = `#/${encodeURIComponent(route.host)}/${route.view}`;
  if (route.id !== undefined) hash += `/${route.id}`;
  const params = new URLSearchParams();
  if (route.query) params.set('q', route.query);
  if (route.btf !== undefined) params.set('btf', String(route.btf));
  if (params.size > 0) hash += `?${params}`;
  return hash;
}
