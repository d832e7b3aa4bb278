// The current route, following the URL hash (back/forward, pasted deep links).
import { formatRoute, parseRoute, type Route } from './route.js';

export class Router {
  route = $state.raw<Route>({ host: 'local', view: 'overview' });

  constructor(private readonly defaultHost: string) {
    this.sync();
    window.addEventListener('hashchange', () => this.sync());
  }

  go(change: Partial<Route>, keepId = false): void {
    const next: Route = { ...this.route, ...change };
    if (!keepId && !('id' in change)) delete next.id;
    if (!('query' in change)) delete next.query;
    if (!('btf' in change)) delete next.btf;
    location.hash = formatRoute(next);
  }

  href(route: Partial<Route>): string {
    return formatRoute({ host: this.route.host, view: 'overview', ...route });
  }

  private sync(): void {
    this.route = parseRoute(location.hash, this.defaultHost);
  }
}
