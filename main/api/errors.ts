// Errors cross every transport as data: only plain fields survive IPC and JSON.
import { z } from 'zod';

export const ApiErrorDataSchema = z.object({
  /** errno name (`EPERM`) or one of ours (`EPROTO`, `ENOMETHOD`, `ENOHOST`, …). */
  code: z.string().min(1).max(64),
  message: z.string().max(4096),
  hint: z.string().max(4096).optional(),
  syscall: z.string().max(64).optional(),
  id: z.number().int().optional(),
});

export type ApiErrorData = z.infer<typeof ApiErrorDataSchema>;

/** What a client call rejects with: the error data, rebuilt as an Error on the receiving side. */
export class ApiError extends Error implements ApiErrorData {
  readonly code: string;
  readonly hint?: string;
  readonly syscall?: string;
  readonly id?: number;

  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    if (data.hint !== undefined) this.hint = data.hint;
    if (data.syscall !== undefined) this.syscall = data.syscall;
    if (data.id !== undefined) this.id = data.id;
  }

  toData(): ApiErrorData {
    return toErrorData(this);
  }
}

/** Keeps the data fields of whatever was thrown (HostError, ApiError, plain Error, anything). */
export function toErrorData(error: unknown): ApiErrorData {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const data: ApiErrorData = {
    code: typeof e.code === 'string' && e.code.length > 0 ? e.code.slice(0, 64) : 'EUNKNOWN',
    message: (typeof e.message === 'string' ? e.message : String(error)).slice(0, 4096),
  };
  if (typeof e.hint === 'string') data.hint = e.hint.slice(0, 4096);
  if (typeof e.syscall === 'string') data.syscall = e.syscall.slice(0, 64);
  if (typeof e.id === 'number' && Number.isInteger(e.id)) data.id = e.id;
  return data;
}

export function apiError(code: string, message: string, hint?: string): ApiError {
  return new ApiError(hint === undefined ? { code, message } : { code, message, hint });
}
