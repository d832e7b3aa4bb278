// BPF streams on real programs: a syscall program writing to both streams (bpf_stream_vprintk)
// and an XDP program whose may_goto loop the kernel stops after 250 ms, which Linux 6.17+
// reports on its stderr. This kernel answers the stream writes with -ENOMEM and reports
// nothing (its page allocator refuses the streams' no-lock allocation); the test checks what
// each kernel actually did: text that bpfscope must show and take out, or an empty stream it
// must call empty. Decoding of filled streams is tested on recorded text (unit/kern/bpf-stream).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
const ENOMEM = -12;
let fixtures: LoadedFixtures;

interface StreamJson {
  prog_id: number;
  stream: string;
  bytes: number;
  text: string;
  entries: Array<{ text?: string; report?: { error: string; frames: Array<{ progName?: string }> } }>;
}

async function readStream(stream: 'stdout' | 'stderr', id: number): Promise<StreamJson> {
  const result = await bpfscope(['tracelog', stream, String(id), '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StreamJson;
}

describe.skipIf(skip)('BPF streams (real programs)', () => {
  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['stream'] });
  }, 120_000);
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('shows what bpf_stream_vprintk wrote and takes it out, or says the stream is empty where the kernel refused it', async () => {
    const id = fixtures.program('stream_say', 'stream').id;
    const { stdoutRet, stderrRet } = await fixtures.streamSay(3);
    const out = await readStream('stdout', id);
    const err = await readStream('stderr', id);
    if (stdoutRet === 0) {
      expect(out.text).toBe('bpfscope stream run 1 says 42\nbpfscope stream run 2 says 42\nbpfscope stream run 3 says 42\n');
      expect(err.text).toBe('bpfscope stream run 1 warns\nbpfscope stream run 2 warns\nbpfscope stream run 3 warns\n');
      expect((await readStream('stdout', id)).bytes).toBe(0);
    } else {
      expect([stdoutRet, stderrRet]).toEqual([ENOMEM, ENOMEM]);
      expect([out, err]).toEqual([
        { prog_id: id, stream: 'stdout', bytes: 0, text: '', entries: [] },
        { prog_id: id, stream: 'stderr', bytes: 0, text: '', entries: [] },
      ]);
      const text = await bpfscope(['tracelog', 'stdout', String(id)]);
      expect(text.stdout).toBe('');
      expect(text.stderr).toContain('the stdout stream is empty');
    }
  });

  it('decodes the kernel’s own report of a may_goto loop it stopped, where the kernel writes one', async () => {
    const started = Date.now();
    const id = await fixtures.streamSpin();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const err = await readStream('stderr', id);
    if (err.bytes > 0) {
      expect(err.entries[0]?.report?.error).toBe('Timeout detected for may_goto instruction');
      expect(err.entries[0]?.report?.frames.some((f) => f.progName === 'stream_spin')).toBe(true);
    } else {
      expect(err).toEqual({ prog_id: id, stream: 'stderr', bytes: 0, text: '', entries: [] });
    }
  });
});
