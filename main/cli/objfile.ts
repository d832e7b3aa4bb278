// `obj FILE [--json]` and `obj FILE prog NAME [--linum|--opcodes|--json]`: a compiled BPF
// object before anything is loaded — programs, maps, global data, sections, and listings.
import { ValueWriters } from '../kernel/btf/index.js';
import { listingToJson, renderListingText } from '../kernel/isa/index.js';
import {
  findProgram, parseBpfObject, programListing, type BpfObject, type GlobalDataSection, type ObjectMap, type ObjectProgram,
} from '../kernel/objfile/index.js';
import { stringifyJson, type JsonValue } from '../kernel/info/index.js';
import { readObjectFile } from '../hosts/objfile-host.js';
import { UsageError, type CommandContext } from './context.js';

const USAGE = 'usage: bpfscope obj FILE [--json] | obj FILE prog NAME [--linum] [--opcodes] [--json]';

async function openObject(path: string): Promise<BpfObject> {
  const { bytes } = await readObjectFile(path).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  try {
    return parseBpfObject(bytes);
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

function programJson(p: ObjectProgram): JsonValue {
  return {
    name: p.name, section: p.section, type: p.progType, ...(p.attachType ? { attach_type: p.attachType } : {}),
    insn_offset: p.insnOffset, insns: p.insnCount, global: p.global,
  };
}

function mapJson(m: ObjectMap): JsonValue {
  const json: Record<string, JsonValue> = { name: m.name, type: m.typeName };
  if (m.keySize !== undefined) json.bytes_key = m.keySize;
  if (m.valueSize !== undefined) json.bytes_value = m.valueSize;
  if (m.maxEntries !== undefined) json.max_entries = m.maxEntries;
  if (m.flags !== undefined) json.flags = m.flags;
  if (m.pinning !== undefined) json.pinning = m.pinning;
  if (m.keyType !== undefined) json.key_type = m.keyType;
  if (m.valueType !== undefined) json.value_type = m.valueType;
  if (m.innerMap) json.inner_map = true;
  return json;
}

/** A global's initial value as `dump map --json` formats it, or undefined where bpftool would stop inside it. */
function renderGlobal(writers: ValueWriters | undefined, g: GlobalDataSection, v: GlobalDataSection['variables'][number]): string | undefined {
  if (!writers) return undefined;
  const bytes = g.bytes.subarray(v.offset, v.offset + v.size);
  const w = writers.writer(v.typeId, bytes.length, { text: false, depth: 0 });
  return w.stops || w.error ? undefined : writers.format(v.typeId, bytes);
}

function globalJson(writers: ValueWriters | undefined, g: GlobalDataSection): JsonValue {
  return {
    name: g.name, size: g.size, readonly: g.readonly,
    variables: g.variables.map((v) => {
      const rendered = renderGlobal(writers, g, v);
      let value: JsonValue = v.value.display;
      if (rendered !== undefined) {
        try { value = JSON.parse(rendered) as JsonValue; } catch { /* bpftool's quirky escapes: keep the display text */ }
      }
      return { name: v.name, type: v.type, offset: v.offset, size: v.size, value };
    }),
  };
}

function objectJson(obj: BpfObject): JsonValue {
  const writers = obj.btf && new ValueWriters(obj.btf);
  return {
    license: obj.license ?? null,
    programs: obj.programs.map(programJson),
    subprograms: obj.subprograms.map(programJson),
    maps: obj.maps.map(mapJson),
    globals: obj.globals.map((g) => globalJson(writers, g)),
    sections: obj.sections.map((s) => ({ index: s.index, name: s.name, role: s.role, size: s.size })),
  };
}

function objectText(obj: BpfObject, path: string): string {
  const lines = [`${path}: ${obj.programs.length} programs, ${obj.maps.length} maps, license ${obj.license ?? '(none)'}`, 'programs:'];
  for (const p of obj.programs) lines.push(`  ${p.name}  ${p.progType || '(unknown type)'}  section ${p.section}  ${p.insnCount} insns`);
  for (const p of obj.subprograms) lines.push(`  ${p.name}  subprogram  section ${p.section}  ${p.insnCount} insns`);
  lines.push('maps:');
  for (const m of obj.maps) {
    const key = m.keyType ? `key ${m.keyType}` : `key ${m.keySize ?? 0}B`;
    const value = m.valueType ? `value ${m.valueType}` : `value ${m.valueSize ?? 0}B`;
    lines.push(`  ${m.name}  ${m.typeName}  ${key}  ${value}  max_entries ${m.maxEntries ?? 0}`);
  }
  lines.push('globals:');
  const writers = obj.btf && new ValueWriters(obj.btf);
  for (const g of obj.globals) {
    lines.push(`  ${g.name}  ${g.size} bytes${g.readonly ? '  read-only' : ''}`);
    for (const v of g.variables) {
      lines.push(`    +${v.offset} ${v.type} ${v.name} = ${renderGlobal(writers, g, v) ?? v.value.display}`);
    }
  }
  lines.push('sections:');
  for (const s of obj.sections) lines.push(`  [${s.index}] ${s.name}  ${s.role}  ${s.size} bytes`);
  return `${lines.join('\n')}\n`;
}

export async function objCommand(ctx: CommandContext): Promise<number> {
  const [path, what, name] = ctx.args;
  if (path === undefined) throw new UsageError(USAGE);
  const obj = await openObject(path);
  if (what === undefined) {
    ctx.io.out(ctx.flags.json ? `${stringifyJson(objectJson(obj))}\n` : objectText(obj, path));
    return 0;
  }
  if (what !== 'prog' || name === undefined) throw new UsageError(USAGE);
  const prog = findProgram(obj, name);
  if (!prog) throw new UsageError(`${path}: no program or subprogram named '${name}'`);
  const listing = programListing(obj, prog);
  if (ctx.flags.json) {
    const entries = listingToJson(listing).map((json, i) => {
      const reference = listing.entries[i]?.reference;
      return reference ? { ...json, reference } : json;
    });
    ctx.io.out(`${JSON.stringify(entries)}\n`);
  }
  else ctx.io.out(renderListingText(listing, { linum: ctx.flags.linum === true, opcodes: ctx.flags.opcodes === true }));
  return 0;
}
