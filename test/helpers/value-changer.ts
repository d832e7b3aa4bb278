// Changes big_hash values from a child process, on request: a benchmark that measures its
// own CPU per poll must not fork between polls (after a fork every page it writes takes a
// copy-on-write fault, which would be counted as the watch's cost). The child is forked
// once, before the polls; it runs changeValues (bpftool) itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { changeValues } from './big-hash.js';

export interface ValueChanger {
  /** Sets the values of the keys to round-specific bytes; resolves once the map holds them. */
  change(round: number): Promise<void>;
  stop(): Promise<void>;
}

const self = fileURLToPath(import.meta.url);

export async function startValueChanger(id: number, keys: readonly Uint8Array[]): Promise<ValueChanger> {
  const child = spawn(process.execPath, [self, String(id), keys.map((k) => Buffer.from(k).toString('hex')).join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<void> => {
    const reply = await replies.next();
    if (reply.done || reply.value !== 'ok') throw new Error(`value changer: ${reply.done ? 'exited' : reply.value}`);
  };
  await next();
  return {
    change: async (round) => {
      child.stdin!.write(`${round}\n`);
      await next();
    },
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin!.end();
      await exited;
    },
  };
}

if (process.argv[1] === self) {
  const id = Number(process.argv[2]);
  const keys = process.argv[3]!.split(',').map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));
  process.stdout.write('ok\n');
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      changeValues(id, keys, Number(line));
      process.stdout.write('ok\n');
    } catch (error) {
      process.stdout.write(`${String(error).replace(/\n/g, ' ')}\n`);
    }
  }
}
