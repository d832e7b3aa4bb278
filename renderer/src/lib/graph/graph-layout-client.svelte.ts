// Layouts of the graph view, computed in a worker so the page stays responsive; only the
// latest request's answer is kept (a filter typed quickly sends several).
import type { GraphView } from './graph-model.js';
import type { LayoutRequest, LayoutResult } from './graph-layout.js';

export class GraphLayoutClient {
  result = $state.raw<LayoutResult | null>(null);
  private seq = 0;
  private readonly worker: Worker;

  constructor() {
    this.worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module', name: 'graph-layout' });
    this.worker.onmessage = (event: MessageEvent<LayoutResult>) => {
      if (event.data.seq === this.seq) this.result = event.data;
    };
  }

  /** Lays out `view`, its lanes in `lanes` order, for a frame of `size` (px). */
  request(view: GraphView, lanes: string[], size: { width: number; height: number }): void {
    const request: LayoutRequest = {
      seq: ++this.seq,
      nodes: view.nodes.map((n) => ({ id: n.id, width: n.width, height: n.height, column: n.column, ...(n.cluster ? { cluster: n.cluster } : {}) })),
      edges: view.edges.map((e) => ({ from: e.from, to: e.to })),
      lanes,
      view: size,
    };
    this.worker.postMessage(request);
  }

  close(): void {
    this.worker.terminate();
  }
}
