// The host graph, program summaries and explanations for the API. A graph is kept a few seconds
// per host: several views (and several windows) asking together share one collection.
import type { HostGraphAnswer } from '../api/graph-records.js';
import { ApiError } from '../api/errors.js';
import { explain, type ExplainedEntry } from '../hosts/explain.js';
import { collectHostGraph, programSummary } from '../hosts/host-graph.js';
import type { HostSession } from '../hosts/host-session.js';
import { readStackTraces, type StackTraceView } from '../hosts/stack-traces.js';
import type { ProgramSummary } from '../kernel/graph/program-summary.js';

const GRAPH_TTL_MS = 3000;

export class GraphService {
  private readonly graphs = new Map<string, { at: number; answer: Promise<HostGraphAnswer> }>();

  hostGraph(host: string, session: HostSession, now = Date.now()): Promise<HostGraphAnswer> {
    const kept = this.graphs.get(host);
    if (kept && now - kept.at < GRAPH_TTL_MS) return kept.answer;
    const answer = collectHostGraph(session).then(({ graph, notes }) => ({ ...graph, notes }));
    this.graphs.set(host, { at: now, answer });
    answer.catch(() => this.graphs.delete(host));
    return answer;
  }

  async programSummary(session: HostSession, id: number): Promise<ProgramSummary> {
    const summary = await programSummary(session, id);
    if (!summary) throw new ApiError({ code: 'EGONE', message: `prog ${id}: not loaded on ${session.label}`, id });
    return summary;
  }

  explain(session: HostSession, name: string): Promise<ExplainedEntry[]> {
    return explain(session, name);
  }

  async stackTraces(session: HostSession, id: number, pid: number | undefined): Promise<StackTraceView> {
    const view = await readStackTraces(session, id, pid !== undefined ? { pid } : {});
    if (!view) throw new ApiError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
    return view;
  }

  dropHost(host: string): void {
    this.graphs.delete(host);
  }
}
