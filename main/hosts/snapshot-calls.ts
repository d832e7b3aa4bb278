// Host calls recorded into a snapshot and answered from it: the calls the attachment views make
// (netns list, rtnetlink dumps, BPF_PROG_QUERY, cgroup tree, task fds) and the page reads of
// arenas through their holders are stored with their arguments and results (or errors) in
// `attach/calls.json`; bytes as base64.
import type { Host } from './host.js';
import { HostError } from './host-error.js';

export const CALLS_PATH = 'attach/calls.json';

type AttachMethod = 'netnsList' | 'rtnlDump' | 'netProgQuery' | 'cgroupQuery' | 'taskFds';
export const ATTACH_METHODS: readonly AttachMethod[] = ['netnsList', 'rtnlDump', 'netProgQuery', 'cgroupQuery', 'taskFds'];
type RecordedMethod = AttachMethod | 'procMapPages';
const RECORDED_METHODS: readonly RecordedMethod[] = [...ATTACH_METHODS, 'procMapPages'];

interface RecordedCall {
  result?: unknown;
  error?: { message: string; code?: string; errno?: number };
}

/** Calls by `method(args as JSON)`. */
export type CallLog = Record<string, RecordedCall>;

function callKey(method: string, args: unknown[]): string {
  return `${method}${JSON.stringify(args, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`;
}

/** A JSON replacer; it looks at the holder's original value because Buffer.toJSON runs first. */
function encodeBytes(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  return original instanceof Uint8Array ? { $bytes: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') } : value;
}

function decodeBytes(_key: string, value: unknown): unknown {
  const v = value as { $bytes?: unknown } | null;
  return v && typeof v === 'object' && typeof v.$bytes === 'string' ? new Uint8Array(Buffer.from(v.$bytes, 'base64')) : value;
}

export function encodeCallLog(log: CallLog): string {
  return JSON.stringify(log, encodeBytes);
}

export function decodeCallLog(text: string): CallLog {
  return JSON.parse(text, decodeBytes) as CallLog;
}

type Field = 'number' | 'string' | 'bytes';
/** What each method returns: bytes, a list of records with these fields (host.ts's Raw* types), or one such record. */
const RESULT_SHAPES: Record<RecordedMethod, 'bytes' | Record<string, Field> | { one: Record<string, Field> }> = {
  netnsList: { path: 'string', inode: 'number', pid: 'number' },
  rtnlDump: 'bytes',
  netProgQuery: 'bytes',
  cgroupQuery: { path: 'string', id: 'number', attached: 'bytes', effective: 'bytes' },
  taskFds: { pid: 'number', fd: 'number', comm: 'string', attr: 'bytes', name: 'bytes' },
  procMapPages: { one: { present: 'bytes', bytes: 'bytes', pageSize: 'number' } },
};

function recordProblem(item: unknown, shape: Record<string, Field>, where: string): string | undefined {
  if (typeof item !== 'object' || item === null) return `${where} is not an object`;
  for (const [field, type] of Object.entries(shape)) {
    if (fieldProblem((item as Record<string, unknown>)[field], type)) return `${where}.${field} is not ${type === 'bytes' ? 'bytes' : `a ${type}`}`;
  }
  return undefined;
}

function fieldProblem(value: unknown, type: Field): boolean {
  return type === 'bytes' ? !(value instanceof Uint8Array) : typeof value !== type;
}

function resultProblem(method: RecordedMethod, result: unknown): string | undefined {
  const shape = RESULT_SHAPES[method];
  if (shape === 'bytes') return result instanceof Uint8Array ? undefined : 'result is not bytes';
  if ('one' in shape) return recordProblem(result, shape.one as Record<string, Field>, 'result');
  if (!Array.isArray(result)) return 'result is not a list';
  for (const [i, item] of result.entries()) {
    const why = recordProblem(item, shape, `result[${i}]`);
    if (why) return why;
  }
  return undefined;
}

/** Why a decoded call log does not have the shape replayCall relies on, or undefined. */
export function callLogProblem(log: unknown): string | undefined {
  if (typeof log !== 'object' || log === null || Array.isArray(log)) return 'not an object of recorded calls';
  for (const [key, call] of Object.entries(log)) {
    const method = RECORDED_METHODS.find((m) => key.startsWith(`${m}[`));
    if (!method) return `${key.slice(0, 80)}: not a recorded host call`;
    const c = call as RecordedCall | null;
    if (typeof c !== 'object' || c === null) return `${key}: not a recorded call`;
    if (c.error !== undefined) {
      if (typeof c.error !== 'object' || c.error === null || typeof c.error.message !== 'string') return `${key}: error without a message`;
      continue;
    }
    const why = resultProblem(method, c.result);
    if (why) return `${key}: ${why}`;
  }
  return undefined;
}

/** A Host whose recorded calls (attachment queries, arena page reads) go to `host` and are written to `log`. */
export function recordingHost(host: Host, log: CallLog, readFile: Host['readFile']): Host {
  const recorded: Partial<Host> = { readFile };
  for (const method of RECORDED_METHODS) {
    const fn = host[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (!fn) continue;
    (recorded as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      try {
        const result = await fn.apply(host, args);
        log[callKey(method, args)] = { result };
        return result;
      } catch (error) {
        const e = error as { message?: string; code?: unknown; errno?: unknown };
        log[callKey(method, args)] = {
          error: {
            message: String(e?.message ?? error),
            ...(typeof e?.code === 'string' ? { code: e.code } : {}),
            ...(typeof e?.errno === 'number' ? { errno: e.errno } : {}),
          },
        };
        throw error;
      }
    };
  }
  return Object.setPrototypeOf(recorded, host) as Host;
}

/** Answers one recorded call; a call not recorded is an ESNAPSHOT error. */
export function replayCall(log: CallLog, label: string, method: RecordedMethod, args: unknown[]): Promise<never> | Promise<unknown> {
  const call = log[callKey(method, args)];
  if (!call) return Promise.reject(new HostError({ code: 'ESNAPSHOT', message: `${label}: ${method} ${JSON.stringify(args)} was not recorded in the snapshot` }));
  if (call.error) return Promise.reject(Object.assign(new Error(call.error.message), call.error));
  return Promise.resolve(call.result);
}
