// The graph view's layout worker: one request in, one layout out (graph-layout.ts).
import { layoutGraph, type LayoutRequest } from './graph-layout.js';

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  self.postMessage(layoutGraph(event.data));
};
