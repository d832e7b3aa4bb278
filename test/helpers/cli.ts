// Runs the built `bpfscope` command and bpftool as child processes.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';

const run = promisify(execFile);
export const BIN = fileURLToPath(new URL('../../bin/bpfscope.js', import.meta.url));

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(file: string, args: string[], prefix: string[] = []): Promise<CommandResult> {
  const argv = [...prefix, file, ...args];
  try {
    const { stdout, stderr } = await run(argv[0], argv.slice(1), { maxBuffer: 1 << 30, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `bpfscope …`, through the real bin script (needs `npm run build`). */
export function bpfscope(args: string[], prefix: string[] = []): Promise<CommandResult> {
  return runCommand(process.execPath, [BIN, ...args], prefix);
}

export async function bpftoolJson<T>(args: string[]): Promise<T> {
  const result = await runCommand('bpftool', ['-j', ...args]);
  if (result.code !== 0) throw new Error(`bpftool ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Parses bpfscope's JSON; u64 values beyond 2^53 survive as strings of digits. */
export function parseJsonExact<T>(text: string): T {
  return JSON.parse(text.replace(/([:\[,])(-?\d{16,})(?=[,\]}])/g, '$1"$2"')) as T;
}

/**
 * SHA-256 of an array map's values as bpftool dumps them, laid out as the kernel holds them (each
 * value padded to 8 bytes): the hash a 6.18 kernel gives of a frozen array, computed without it.
 */
export async function arrayHashFromBpftool(id: number): Promise<string> {
  const map = await bpftoolJson<{ bytes_value: number; max_entries: number }>(['map', 'show', 'id', String(id)]);
  const stride = Math.ceil(map.bytes_value / 8) * 8;
  const bytes = Buffer.alloc(stride * map.max_entries);
  const dump = await bpftoolJson<Array<{ key: string[]; value: string[] }>>(['map', 'dump', 'id', String(id)]);
  const hex = (h: string[]): Buffer => Buffer.from(h.map((x) => Number.parseInt(x, 16)));
  for (const { key, value } of dump) hex(value).copy(bytes, hex(key).readUInt32LE() * stride);
  return createHash('sha256').update(bytes).digest('hex');
}
