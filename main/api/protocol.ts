// The generic RPC protocol carried as JSON text by the in-memory and WebSocket
// transports: request/response, subscribe/event/end, cancel. Every client message is
// size- and depth-capped before it is parsed, and schema-checked before anything acts on it.
import { z } from 'zod';
import { ApiErrorDataSchema, type ApiErrorData } from './errors.js';

/** Requests are small (method name + ids); anything bigger is hostile or a bug. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Responses may carry large listings (instructions, map pages), but stay bounded. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Requests one connection may have in flight at once. */
export const MAX_REQUESTS_PER_CONNECTION = 64;
/** Event streams one connection may have open at once (a dashboard uses a few dozen). */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 128;
/**
 * Nesting of arrays and objects a client message may have. The deepest the contract asks for is
 * 3 (message → params → a list of keys); the schema checks walk values recursively, so a message
 * nested thousands deep must be refused before JSON.parse and zod see it.
 */
export const MAX_REQUEST_DEPTH = 16;
/** Values an IPC message may hold (arrays' items and objects' members, counted through all levels). */
export const MAX_REQUEST_VALUES = 16_384;

const RequestId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const Name = z.string().min(1).max(64);
/**
 * A response's result or an event's data, as JSON.parse gave it: JSON by construction, so not
 * walked again here (z.json() took 100-180 ms on a cold 1,000-program answer, JSON.parse 1 ms);
 * each method's or event's own schema then checks its shape.
 */
const ParsedJson = z.custom<z.core.util.JSONType>((value) => value !== undefined);

/** Built on first use: only the server decodes client messages, and the page need not build it (see lazy-table.ts). */
export const ClientMessageSchema = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('request'), id: RequestId, method: Name, params: z.json() }),
    z.strictObject({ type: z.literal('subscribe'), id: RequestId, event: Name, params: z.json() }),
    /** Cancels a pending request or ends a subscription. */
    z.strictObject({ type: z.literal('cancel'), id: RequestId }),
  ]),
);

export const ServerMessageSchema = z.union([
  z.strictObject({ type: z.literal('response'), id: RequestId, ok: z.literal(true), result: ParsedJson }),
  z.strictObject({ type: z.literal('response'), id: RequestId, ok: z.literal(false), error: ApiErrorDataSchema }),
  z.strictObject({ type: z.literal('event'), id: RequestId, data: ParsedJson }),
  /** The server ended a subscription (error) — the client stops listening. */
  z.strictObject({ type: z.literal('end'), id: RequestId, error: ApiErrorDataSchema.optional() }),
  /** A message was refused before it had any effect (malformed, oversized, over the limit). */
  z.strictObject({ type: z.literal('reject'), error: ApiErrorDataSchema }),
]);

export type ClientMessage = z.infer<typeof ClientMessageSchema>;
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** The outcome of a call, as data: what every transport carries back. */
export type Envelope = { ok: true; result: unknown } | { ok: false; error: ApiErrorData };

export type Decoded<T> = { ok: true; message: T } | { ok: false; error: ApiErrorData };

/**
 * Whether JSON text nests arrays and objects deeper than `limit`: one pass over the characters,
 * strings skipped, no parse and no recursion. Text that is not JSON is left to JSON.parse.
 */
export function jsonTextNestsDeeper(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Why a value (an IPC message, structured-cloned rather than text) is too deep or too large to
 * validate, or undefined when it is neither: an iterative walk that stops at the first excess.
 */
export function valueTooComplex(value: unknown, maxDepth = MAX_REQUEST_DEPTH, maxValues = MAX_REQUEST_VALUES): string | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let seen = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= maxDepth) return `nested deeper than ${maxDepth}`;
    const children = Array.isArray(item) ? item : Object.values(item);
    seen += children.length;
    if (seen > maxValues) return `more than ${maxValues} values`;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return undefined;
}

function decode<T>(text: unknown, limit: number, schema: z.ZodType<T>, maxDepth?: number): Decoded<T> {
  if (typeof text !== 'string') return { ok: false, error: { code: 'EPROTO', message: 'message is not text' } };
  // UTF-16 length is a lower bound of the UTF-8 size, enough to refuse before parsing.
  if (text.length > limit) return { ok: false, error: { code: 'E2BIG', message: `message of ${text.length} characters exceeds the ${limit}-byte limit` } };
  if (maxDepth !== undefined && jsonTextNestsDeeper(text, maxDepth)) return { ok: false, error: { code: 'E2BIG', message: `message nests arrays and objects deeper than ${maxDepth}` } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'EPROTO', message: 'message is not valid JSON' } };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, error: { code: 'EPROTO', message: `malformed message: ${z.prettifyError(parsed.error).slice(0, 500)}` } };
  return { ok: true, message: parsed.data };
}

export function decodeClientMessage(text: unknown): Decoded<ClientMessage> {
  return decode(text, MAX_REQUEST_BYTES, ClientMessageSchema, MAX_REQUEST_DEPTH);
}

/** Our own server's messages: size-capped; their depth is what the contract's records have. */
export function decodeServerMessage(text: unknown): Decoded<ServerMessage> {
  return decode(text, MAX_RESPONSE_BYTES, ServerMessageSchema);
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
