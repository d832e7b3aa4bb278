// Deep links: every view and object has a URL hash, e.g. `#/local/programs/42`.
// `fleet` (the programs of all hosts) is not of one host: its link keeps the host it was opened from.
// Pure parse/format so links, the back key and tests agree.

export type ViewName = 'overview' | 'programs' | 'maps' | 'links' | 'graph' | 'tracelog' | 'btf' | 'diagnostics' | 'fleet';

export interface Route {
  host: string;
  view: ViewName;
  /** Object id for program and map detail. */
  id?: number;
  /** Free text: the BTF query, a map filter, a table's text filter. */
  query?: string;
  /** The BTF object a BTF view is scoped to (a program's or map's); else vmlinux. */
  btf?: number;
  /** A table's selected facet values by column title (`f.Type=kprobe`). */
  facets?: Record<string, string>;
  /** A table's sort column title, and its direction (`sort=Name&desc=1`). */
  sort?: string;
  descending?: boolean;
  /** A detail view's tab (a program's `cfg` or `jit`; the first tab has none). */
  tab?: string;
}

const FACET_PARAM = 'f.';

const VIEWS: readonly ViewName[] = ['overview', 'programs', 'maps', 'links', 'graph', 'tracelog', 'btf', 'diagnostics', 'fleet'];

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
  const facets: Record<string, string> = {};
  for (const [key, value] of params) if (key.startsWith(FACET_PARAM) && key.length > FACET_PARAM.length && value) facets[key.slice(FACET_PARAM.length)] = value;
  if (Object.keys(facets).length > 0) route.facets = facets;
  const tab = params.get('tab');
  if (tab && /^[a-z]{1,16}$/.test(tab)) route.tab = tab;
  const sort = params.get('sort');
  if (sort) {
    route.sort = sort;
    if (params.get('desc') === '1') route.descending = true;
  }
  return route;
}

export function formatRoute(route: Route): string {
  let hash = `#/${encodeURIComponent(route.host)}/${route.view}`;
  if (route.id !== undefined) hash += `/${route.id}`;
  const params = new URLSearchParams();
  if (route.query) params.set('q', route.query);
  if (route.btf !== undefined) params.set('btf', String(route.btf));
  for (const [title, value] of Object.entries(route.facets ?? {})) if (value) params.set(FACET_PARAM + title, value);
  if (route.sort) {
    params.set('sort', route.sort);
    if (route.descending) params.set('desc', '1');
  }
  if (route.tab) params.set('tab', route.tab);
  if (params.size > 0) hash += `?${params}`;
  return hash;
}

/** The host a route without one names. */
export const DEFAULT_HOST = 'local';

export type ListMethod = 'listPrograms' | 'listMaps' | 'listLinks';

/** The list a host's view loads first (alone, before the others); the fleet view loads none of one host. */
export function firstListOf(view: ViewName): ListMethod | undefined {
  if (view === 'fleet') return undefined;
  return view === 'maps' ? 'listMaps' : view === 'links' ? 'listLinks' : 'listPrograms';
}
