// Attachment queries recorded into a snapshot and answered from it: the calls the attachment
// views make (netns list, rtnetlink dumps, BPF_PROG_QUERY, cgroup tree, task fds) are stored
// with their arguments and results (or errors) in `attach/calls.json`; bytes as base64.
import type { Host } from './host.js';
import { HostError } from './host-error.js';

export const CALLS_PATH = 'attach/calls.json';

type AttachMethod = 'netnsList' | 'rtnlDump' | 'netProgQuery' | 'cgroupQuery' | 'taskFds';
export const ATTACH_METHODS: readonly AttachMethod[] = ['netnsList', 'rtnlDump', 'netProgQuery', 'cgroupQuery', 'taskFds'];

interface RecordedCall {
  result?: unknown;
  error?: { message: string; code?: string; errno?: number };
}

/** Calls by `method(args as JSON)`. */
export type CallLog = Record<string, RecordedCall>;

function callKey(method: string, args: unknown[]): string {
  return `${method}${JSON.stringify(args)}`;
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
/** What each method returns: bytes, or a list of records with these fields (host.ts's Raw* types). */
const RESULT_SHAPES: Record<AttachMethod, 'bytes' | Record<string, Field>> = {
  netnsList: { path: 'string', inode: 'number', pid: 'number' },
  rtnlDump: 'bytes',
  netProgQuery: 'bytes',
  cgroupQuery: { path: 'string', id: 'number', attached: 'bytes', effective: 'bytes' },
  taskFds: { pid: 'number', fd: 'number', comm: 'string', attr: 'bytes', name: 'bytes' },
};

function fieldProblem(value: unknown, type: Field): boolean {
  return type === 'bytes' ? !(value instanceof Uint8Array) : typeof value !== type;
}

function resultProblem(method: AttachMethod, result: unknown): string | undefined {
  const shape = RESULT_SHAPES[method];
  if (shape === 'bytes') return result instanceof Uint8Array ? undefined : 'result is not bytes';
  if (!Array.isArray(result)) return 'result is not a list';
  for (const [i, item] of result.entries()) {
    if (typeof item !== 'object' || item === null) return `result[${i}] is not an object`;
    for (const [field, type] of Object.entries(shape)) {
      if (fieldProblem((item as Record<string, unknown>)[field], type)) return `result[${i}].${field} is not ${type === 'bytes' ? 'bytes' : `a ${type}`}`;
    }
  }
  return undefined;
}

/** Why a decoded call log does not have the shape replayCall relies on, or undefined. */
export function callLogProblem(log: unknown): string | undefined {
  if (typeof log !== 'object' || log === null || Array.isArray(log)) return 'not an object of recorded calls';
  for (const [key, call] of Object.entries(log)) {
    const method = ATTACH_METHODS.find((m) => key.startsWith(`${m}[`));
    if (!method) return `${key.slice(0, 80)}: not a recorded attachment query`;
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

/** A Host whose attachment queries go to `host` and are written to `log`. */
export function recordingHost(host: Host, log: CallLog, readFile: Host['readFile']): Host {
  const recorded: Partial<Host> = { readFile };
  for (const method of ATTACH_METHODS) {
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

/** Answers one recorded attachment query; a query not recorded is an ESNAPSHOT error. */
export function replayCall(log: CallLog, label: string, method: AttachMethod, args: unknown[]): Promise<never> | Promise<unknown> {
  const call = log[callKey(method, args)];
  if (!call) return Promise.reject(new HostError({ code: 'ESNAPSHOT', message: `${label}: ${method} ${JSON.stringify(args)} was not recorded in the snapshot` }));
  if (call.error) return Promise.reject(Object.assign(new Error(call.error.message), call.error));
  return Promise.resolve(call.result);
}
