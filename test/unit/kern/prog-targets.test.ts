// Which tracing links run on a BPF program rather than a kernel function (prog-targets.ts): the
// link info and program info values are those the 6.18 kernel writes (bpf_trampoline_unpack_key,
// bpf_prog_get_info_by_fd); this kernel refuses such links, so they are written here by hand.
import { describe, expect, it } from 'vitest';
import type { LinkInfo } from '../../../main/kernel/info/index.js';
import { extensionKind, extensionTargetWords, tracingLinkTarget } from '../../../main/kernel/info/prog-targets.js';

const link = (attachType: number, targetObjId: number, targetBtfId: number): LinkInfo => ({
  infoLen: 64, type: 2, id: 9, progId: 50, details: { kind: 'tracing', attachType, targetObjId, targetBtfId, cookie: 0n },
});

describe('tracing link targets', () => {
  it('reads target_obj_id as a program id or a BTF object id from the linked program', () => {
    expect(tracingLinkTarget(link(24, 42, 7), { type: 26, attachBtfObjId: 0 })).toEqual({ kind: 'program', progId: 42, btfId: 7 });
    expect(tracingLinkTarget(link(24, 1, 9000), { type: 26, attachBtfObjId: 1 })).toEqual({ kind: 'kernel', btfObjId: 1, btfId: 9000 });
    expect(tracingLinkTarget(link(0, 42, 7), { type: 28, attachBtfObjId: 0 })).toEqual({ kind: 'program', progId: 42, btfId: 7 });
    expect(tracingLinkTarget(link(27, 1, 500), { type: 29, attachBtfObjId: 1 })).toEqual({ kind: 'kernel', btfObjId: 1, btfId: 500 });
    expect(tracingLinkTarget(link(24, 42, 7), { type: 26, attachBtfObjId: undefined })?.kind).toBe('unknown');
    expect(tracingLinkTarget(link(24, 42, 7), undefined)?.kind).toBe('unknown');
    expect(tracingLinkTarget({ infoLen: 64, type: 6, id: 3, progId: 1, details: { kind: 'xdp', ifindex: 7 } }, { type: 6 })).toBeUndefined();
  });

  it('names the kind as SEC() does and the target in words', () => {
    expect(extensionKind(link(24, 42, 7), 26)).toBe('fentry');
    expect(extensionKind(link(25, 42, 7), 26)).toBe('fexit');
    expect(extensionKind(link(26, 42, 7), 26)).toBe('fmod_ret');
    expect(extensionKind(link(0, 42, 7), 28)).toBe('freplace');
    expect(extensionTargetWords({ targetProgId: 42, targetName: 'handle_exec', func: 'handle_exec', funcBtfId: 7 })).toBe('handle_exec() of prog 42 (handle_exec)');
    expect(extensionTargetWords({ targetProgId: 42, funcBtfId: 7 })).toBe('function btf_id 7 of prog 42');
  });
});
