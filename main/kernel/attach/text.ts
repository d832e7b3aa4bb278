// Plain-text forms of the attachment views, shaped like bpftool's `net show`, `cgroup tree`
// and `perf list`, rendered from their JSON so the two never disagree.
import type { JsonObject, JsonValue } from '../info/index.js';

function str(v: JsonValue | undefined): string {
  return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function renderNetText(json: readonly JsonObject[]): string {
  const lines: string[] = [];
  for (const ns of json) {
    const netns = ns.netns as JsonObject;
    lines.push(`netns ${str(netns.name)} (inode ${str(netns.inode)}):`);
    lines.push('xdp:');
    for (const x of ns.xdp as JsonObject[]) {
      const modes = x.multi_attachments ? (x.multi_attachments as JsonObject[]).map((m) => `${str(m.mode)} id ${str(m.id)}`).join(' ') : `${str(x.mode)} id ${str(x.id)}`;
      lines.push(`${str(x.devname)}(${str(x.ifindex)}) ${modes}`);
    }
    lines.push('', 'tc:');
    for (const t of ns.tc as JsonObject[]) {
      const da = t.direct_action ? ' direct-action' : '';
      lines.push(`${str(t.devname)}(${str(t.ifindex)}) ${str(t.kind)} ${str(t.name)} id ${str(t.id)} prio ${str(t.prio)} handle 0x${Number(t.handle).toString(16)}${da}`);
    }
    for (const t of ns.tcx as JsonObject[]) {
      lines.push(`${str(t.devname)}(${str(t.ifindex)}) ${str(t.kind)} ${str(t.name)} prog_id ${str(t.prog_id)}${t.link_id !== undefined ? ` link_id ${str(t.link_id)}` : ''}`);
    }
    if ((ns.lwt as JsonObject[]).length) {
      lines.push('', 'lwt:');
      for (const l of ns.lwt as JsonObject[]) {
        const ids = (l.prog_ids as JsonValue[]).join(',') || '?';
        lines.push(`${str(l.dst)}${l.devname !== undefined ? ` dev ${str(l.devname)}` : ''} table ${str(l.table)} encap bpf ${str(l.hook)} ${str(l.name)} id ${ids} (${str(l.resolved_by)})`);
      }
    }
    lines.push('', 'flow_dissector:');
    for (const f of ns.flow_dissector as JsonObject[]) lines.push(`id ${str(f.id)}`);
    if ((ns.sk_lookup as JsonObject[]).length) {
      lines.push('', 'sk_lookup:');
      for (const f of ns.sk_lookup as JsonObject[]) lines.push(`id ${str(f.id)}`);
    }
    if (ns.netfilter) {
      lines.push('', 'netfilter:');
      for (const n of ns.netfilter as JsonObject[]) {
        lines.push(`pf ${str(n.pf)} hook ${str(n.hook)} prio ${str(n.prio)} prog_id ${str(n.prog_id)} link_id ${str(n.link_id)}`);
      }
    }
    for (const e of (ns.errors as JsonValue[] | undefined) ?? []) lines.push(`error: ${str(e)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function renderCgroupTreeText(json: readonly JsonObject[], effective: boolean): string {
  const lines = ['CgroupPath', `ID       AttachType      ${effective ? '' : 'AttachFlags     '}Name           `];
  for (const cg of json) {
    lines.push(str(cg.cgroup));
    for (const p of cg.programs as JsonObject[]) {
      const flags = effective ? '' : `${str(p.attach_flags).padEnd(15)} `;
      lines.push(`    ${str(p.id).padEnd(8)} ${str(p.attach_type).padEnd(15)} ${flags}${str(p.name)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function renderPerfText(json: readonly JsonObject[]): string {
  return json
    .map((e) => {
      if (e.prog_id === undefined && e.prog_type === 'perf_event') {
        const held = Array.isArray(e.holder_prog_ids) && e.holder_prog_ids.length > 0 ? `; ${str(e.comm)} holds perf_event prog ${e.holder_prog_ids.map(str).join(', ')}` : '';
        return `pid ${str(e.pid)}  fd ${str(e.fd)}: a perf_event program the kernel does not name${held}\n`;
      }
      const head = `pid ${str(e.pid)}  fd ${str(e.fd)}: prog_id ${str(e.prog_id)}  ${str(e.fd_type)}`;
      if (e.tracepoint !== undefined) return `${head}  ${str(e.tracepoint)}\n`;
      if (e.filename !== undefined) return `${head}  filename ${str(e.filename)}  offset ${str(e.offset)}\n`;
      if (e.func !== undefined) return `${head}  func ${str(e.func)}  offset ${str(e.offset)}\n`;
      if (e.addr !== undefined) return `${head}  addr ${str(e.addr)}\n`;
      return `${head}\n`;
    })
    .join('');
}
