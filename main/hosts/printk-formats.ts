// The bpf_printk formats of a host's programs, for telling whose line a trace log line is: each
// program's xlated code names its printk calls (through kallsyms) and where their format strings
// are (.rodata, a map value), and the map holds the strings. Loaded code never changes: each
// program is read once per id and tag, each frozen .rodata map once.
import { decodeProgInfo, u64Array } from '../kernel/info/index.js';
import { callTargetOf } from '../kernel/isa/resolve.js';
import { decodeInstructions } from '../kernel/isa/index.js';
import { formatStringAt, PRINTK_FUNCTIONS, printkSites, type ProgramFormat } from '../kernel/trace/printk-format.js';
import type { HostSession } from './host-session.js';
import { MapStream } from './map-stream.js';
import { accessContext } from './program-access.js';

/** Programs followed at most: past this many a host's trace lines are not attributed. */
const MAX_PROGRAMS = 20_000;

export class PrintkFormats {
  private readonly programs = new Map<number, { tag: string | undefined; formats: ProgramFormat[] }>();
  private readonly values = new Map<number, Promise<Uint8Array | undefined>>();

  constructor(private readonly session: HostSession) {}

  /** Every loaded program's printk formats; programs whose code cannot be read have none. */
  async all(): Promise<ProgramFormat[]> {
    const ids = (await this.session.host.listIds('prog')).slice(0, MAX_PROGRAMS);
    const context = await accessContext(this.session);
    const live = new Set(ids);
    for (const id of [...this.programs.keys()]) if (!live.has(id)) this.programs.delete(id);
    for (const id of ids) {
      const brief = await this.session.host.progInfo(id, false);
      if (!brief) continue;
      const tag = decodeProgInfo(brief.info).tag;
      if (this.programs.get(id)?.tag === tag) continue;
      this.programs.set(id, { tag, formats: await this.formatsOf(id, context).catch(() => []) });
    }
    return [...this.programs.values()].flatMap((p) => p.formats);
  }

  private async formatsOf(id: number, context: Awaited<ReturnType<typeof accessContext>>): Promise<ProgramFormat[]> {
    const raw = await this.session.host.progInfo(id, true);
    if (!raw || raw.xlated.byteLength === 0) return [];
    const jitedKsyms = u64Array(raw.jitedKsyms);
    const symbols = await context.symbols(raw, decodeProgInfo(raw.info));
    if (!symbols) return [];
    const resolvers = { ...(symbols.callBase !== undefined ? { callBase: symbols.callBase } : {}), kernelSymbol: (a: bigint) => symbols.symbolAt(a), jitedKsyms };
    const insns = decodeInstructions(raw.xlated, { jitedCalls: jitedKsyms.length > 0 });
    const formats: ProgramFormat[] = [];
    for (const site of printkSites(insns, (call) => PRINTK_FUNCTIONS.has(callTargetOf(call, 'xlated', resolvers).name ?? ''))) {
      if (!('mapId' in site)) continue;
      const value = await this.mapValue(site.mapId);
      const format = value && formatStringAt(value, site.offset);
      if (format !== undefined) formats.push({ progId: id, format });
    }
    return formats;
  }

  /** The one value of a .rodata map (key 0). */
  private mapValue(mapId: number): Promise<Uint8Array | undefined> {
    let known = this.values.get(mapId);
    if (!known) {
      known = (async () => {
        const stream = await MapStream.open(this.session.host, mapId, { mode: 'next' });
        if (!stream) return undefined;
        const step = await stream.next();
        return step.state === 'page' && step.page.count > 0 ? step.page.values.slice(0, stream.layout.valueSize) : undefined;
      })().catch(() => undefined);
      this.values.set(mapId, known);
    }
    return known;
  }
}
