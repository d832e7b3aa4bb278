// A table's text filter, facets and sort live in the view's link: a reload, a copied link
// or back/forward opens the same table. Call from a component's setup.
import { untrack } from 'svelte';
import type { Router } from '../app/router.svelte.js';
import type { TableState } from './table-state.svelte.js';

export function syncTableWithRoute<Row extends { id: number }>(table: TableState<Row>, router: Router): void {
  // The link's filters, when the view opens and on every navigation to another of its links.
  $effect.pre(() => {
    void router.navigations;
    const route = untrack(() => router.route);
    table.filter = route.query ?? '';
    table.facets = { ...route.facets };
    table.sortBy = route.sort ?? null;
    table.descending = route.descending ?? false;
  });
  // Rewritten in place as the user types or picks: one history entry for the view, not one per key.
  $effect(() => {
    const facets = Object.fromEntries(Object.entries(table.facets).filter(([, value]) => value));
    const change = { query: table.filter, facets, sort: table.sortBy ?? undefined, descending: table.descending };
    untrack(() => router.replace(change));
  });
}
