// The service as one WebSocket connection sees it: map views are state on the server that the
// page opens and closes, and a page that goes away without closing them (a closed tab, a
// dropped network) must not leave them holding memory until they expire. The views a
// connection opened and did not close are closed when it goes.
import type { BpfscopeService } from '../api/contract.js';

export interface ConnectionScope {
  service: BpfscopeService;
  /** Closes what the connection left open. */
  release(): void;
}

export function connectionScope(service: BpfscopeService): ConnectionScope {
  const views = new Set<string>();
  const scoped: BpfscopeService = {
    ...service,
    async openMapView(params, signal) {
      const view = await service.openMapView(params, signal);
      views.add(view.view);
      return view;
    },
    async closeMapView(params, signal) {
      views.delete(params.view);
      return service.closeMapView(params, signal);
    },
  };
  return {
    service: scoped,
    release() {
      const signal = new AbortController().signal;
      for (const view of views) void service.closeMapView({ view }, signal).catch(() => undefined);
      views.clear();
    },
  };
}
