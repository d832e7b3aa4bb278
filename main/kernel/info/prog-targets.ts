// Programs on programs: fentry/fexit/fmod_ret and freplace links whose target is another BPF
// program. A tracing link's target_obj_id is the target program's id or a BTF object's id (the
// kernel packs the two in its trampoline key, bpf_trampoline_compute_key, and unpacks them into
// link info without saying which); the linked program's info settles it:
//
//   linked program                         target_obj_id is
//   BPF_PROG_TYPE_EXT (freplace)           a program id (an EXT program always replaces a program's function)
//   BPF_PROG_TYPE_LSM                      a BTF object id (vmlinux)
//   TRACING, attach_btf_obj_id == 0        a program id (loaded with attach_prog_fd: no kernel BTF)
//   TRACING, attach_btf_obj_id != 0        a BTF object id (vmlinux or a module)
//
// (Before it is attached, a program loaded against a program reports that program's BTF id as
// attach_btf_obj_id; attaching clears it, so every program behind a link reads 0.)

import type { JsonObject } from './json-value.js';
import type { LinkInfo } from './link-info.js';
import type { ProgInfo } from './prog-info.js';

const BPF_PROG_TYPE_TRACING = 26;
const BPF_PROG_TYPE_EXT = 28;
const BPF_PROG_TYPE_LSM = 29;

/** enum bpf_attach_type values of tracing links, by the name users write in SEC(). */
const TRACING_KINDS: Readonly<Record<number, string>> = { 24: 'fentry', 25: 'fexit', 26: 'fmod_ret', 27: 'lsm' };

export type TracingTarget =
  /** `btfId` is the function's type id in the target program's BTF. */
  | { kind: 'program'; progId: number; btfId: number }
  | { kind: 'kernel'; btfObjId: number; btfId: number }
  | { kind: 'unknown'; objId: number; btfId: number; reason: string };

/** What a tracing link attaches to; undefined for links of other kinds. */
export function tracingLinkTarget(link: LinkInfo, linked: Pick<ProgInfo, 'type' | 'attachBtfObjId'> | undefined): TracingTarget | undefined {
  const d = link.details;
  if (d?.kind !== 'tracing') return undefined;
  const objId = d.targetObjId ?? 0;
  const btfId = d.targetBtfId ?? 0;
  if (!linked) return { kind: 'unknown', objId, btfId, reason: 'its program could not be read' };
  if (linked.type === BPF_PROG_TYPE_EXT) return { kind: 'program', progId: objId, btfId };
  if (linked.type === BPF_PROG_TYPE_LSM) return { kind: 'kernel', btfObjId: objId, btfId };
  if (linked.type !== BPF_PROG_TYPE_TRACING) return { kind: 'unknown', objId, btfId, reason: `program type ${linked.type} makes no tracing link` };
  // attach_btf_obj_id came with Linux 5.19: an older kernel does not say.
  if (linked.attachBtfObjId === undefined) return { kind: 'unknown', objId, btfId, reason: 'this kernel does not report attach_btf_obj_id (Linux 5.19)' };
  return linked.attachBtfObjId === 0 ? { kind: 'program', progId: objId, btfId } : { kind: 'kernel', btfObjId: objId, btfId };
}

/** How a program extends another, in the words of SEC(): fentry, fexit, fmod_ret, freplace. */
export function extensionKind(link: LinkInfo, linkedType: number | undefined): string {
  if (linkedType === BPF_PROG_TYPE_EXT) return 'freplace';
  const attachType = link.details?.kind === 'tracing' ? link.details.attachType : undefined;
  return (attachType !== undefined && TRACING_KINDS[attachType]) || 'tracing';
}

/** One program running on another's function through a link. */
export interface ProgramExtension {
  linkId: number;
  /** The program that runs (fentry/fexit/freplace). */
  progId: number;
  progName?: string;
  /** The program whose function it runs on. */
  targetProgId: number;
  targetName?: string;
  kind: string;
  /** Type id of the function in the target program's BTF. */
  funcBtfId: number;
  /** That function's name, when the target's BTF could be read. */
  func?: string;
}

/** `handle_exec() of prog 42 (handle_exec)`: where an extension runs, for attach points and show prog. */
export function extensionTargetWords(e: Pick<ProgramExtension, 'targetProgId' | 'targetName' | 'func' | 'funcBtfId'>): string {
  const func = e.func ? `${e.func}()` : `function btf_id ${e.funcBtfId}`;
  return `${func} of prog ${e.targetProgId}${e.targetName ? ` (${e.targetName})` : ''}`;
}

/** show prog's `extended_by`: each program running on one of this program's functions. */
export function extendedByJson(extensions: readonly ProgramExtension[]): JsonObject[] {
  return extensions.map((e) => {
    const out: JsonObject = { prog_id: e.progId };
    if (e.progName) out.name = e.progName;
    out.kind = e.kind;
    if (e.func) out.func = e.func;
    out.func_btf_id = e.funcBtfId;
    out.link_id = e.linkId;
    return out;
  });
}

/** show prog's `extended by:` lines. */
export function extendedByText(extensions: readonly ProgramExtension[]): string {
  return extensions
    .map((e) => `\textended by: ${e.kind} prog ${e.progId}${e.progName ? ` (${e.progName})` : ''} on ${e.func ? `${e.func}()` : `function btf_id ${e.funcBtfId}`} (link ${e.linkId})\n`)
    .join('');
}
