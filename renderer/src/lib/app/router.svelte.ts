// The current route, following the URL hash (back/forward, pasted deep links).
import { DEFAULT_HOST, formatRoute, parseRoute, type Route } from './route.js';

export class Router {
  route = $state.raw<Route>({ host: DEFAULT_HOST, view: 'overview' });
  /** Counts hash changes (back, forward, a link followed or pasted), not the in-place rewrites of replace(). */
  navigations = $state(0);

  constructor(private readonly defaultHost: string) {
    this.sync();
    window.addEventListener('hashchange', () => this.sync());
  }

  go(change: Partial<Route>, keepId = false): void {
    const next: Route = { ...this.route, ...change };
    if (!keepId && !('id' in change)) delete next.id;
    if (!('query' in change)) delete next.query;
    if (!('btf' in change)) delete next.btf;
    for (const key of ['facets', 'sort', 'descending', 'tab'] as const) if (!(key in change)) delete next[key];
    location.hash = formatRoute(next);
  }

  /** Rewrites the current link in place (a filter as it is typed): no history entry, no hashchange. */
  replace(change: Partial<Route>): void {
    const next: Route = { ...this.route, ...change };
    const hash = formatRoute(next);
    if (hash === location.hash) return;
    history.replaceState(history.state, '', hash);
    this.route = parseRoute(hash, this.defaultHost);
  }

  href(route: Partial<Route>): string {
    return formatRoute({ host: this.route.host, view: 'overview', ...route });
  }

  private sync(): void {
    this.route = parseRoute(location.hash, this.defaultHost);
    this.navigations++;
  }
}
