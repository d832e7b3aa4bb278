// Shapes of the objects the API returns. Inventory records are a superset of
// `bpftool prog|map|link show -j`: the keys every kind has are checked, the rest
// pass through unchecked (kernel-version-dependent fields come and go). They are not
// walked as z.json(): on the wire they are JSON by construction, and walking every
// field of a 1,000-program answer cost the renderer 90-125 ms.
import { z } from 'zod';
import { ApiErrorDataSchema } from './errors.js';

const Id = z.number().int().positive();
const TypeName = z.union([z.string(), z.number().int()]);

export const OwnerSchema = z.object({ pid: z.number().int(), comm: z.string() }).loose();

const common = {
  id: Id,
  type: TypeName,
  pids: z.array(OwnerSchema).optional(),
};

export const ProgramSummarySchema = z
  .object({ ...common, name: z.string().optional(), tag: z.string().optional() })
  .loose();

export const MapSummarySchema = z
  .object({ ...common, name: z.string().optional(), bytes_key: z.number().int().optional(), bytes_value: z.number().int().optional(), max_entries: z.number().int().optional() })
  .loose();

export const LinkSummarySchema = z.object({ ...common, prog_id: z.number().int().optional() }).loose();

const isId = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOwner = (v: unknown): boolean => isRecord(v) && Number.isSafeInteger(v.pid) && typeof v.comm === 'string';

/** Exactly what ProgramSummarySchema accepts, or less; a plain function because zod's first pass over a 1,000-row list costs the renderer ~70 ms cold. */
function isProgramSummary(v: unknown): boolean {
  if (!isRecord(v) || !isId(v.id) || !(typeof v.type === 'string' || Number.isSafeInteger(v.type))) return false;
  if (!isOptionalString(v.name) || !isOptionalString(v.tag)) return false;
  return v.pids === undefined || (Array.isArray(v.pids) && v.pids.every(isOwner));
}

/**
 * A list of program summaries, checked by hand on the common path; only a list the
 * hand check refuses goes through zod, so the error names the offending row and key.
 */
export const ProgramListSchema = z.custom<ProgramSummary[]>().superRefine((value, ctx) => {
  if (Array.isArray(value) && value.every(isProgramSummary)) return;
  const full = z.array(ProgramSummarySchema).safeParse(value);
  if (full.success) return;
  for (const issue of full.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});

// Details carry the same keys plus kind-specific extras (instructions, BTF, attach details).
export const ProgramDetailSchema = ProgramSummarySchema;
export const MapDetailSchema = MapSummarySchema;
export const LinkDetailSchema = LinkSummarySchema;

/** `disconnected`: was connected, retrying in the background; `failed`: gave up (the error says why). */
export const HostStatusSchema = z.enum(['connecting', 'connected', 'disconnected', 'failed', 'closed']);

/** An SSH host key seen for the first time: the user accepts or refuses it (answerHostKey). */
export const HostKeyQuestionSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  fingerprint: z.string(),
  otherTypes: z.array(z.string()),
});

export const HostSummarySchema = z.object({
  id: z.string().min(1).max(256),
  label: z.string(),
  status: HostStatusSchema,
  error: ApiErrorDataSchema.optional(),
  /** What bpfscope runs as there: `root`, `CAP_BPF+CAP_PERFMON`, `sudo`, … */
  privilege: z.string().optional(),
  kernel: z.string().optional(),
  hostKey: HostKeyQuestionSchema.optional(),
  /** Hosts added by the user (not the local one) can be removed. */
  removable: z.boolean().optional(),
  /** Set when the host is a snapshot file: read-only, no live data. */
  snapshot: z.object({ source: z.string(), createdAt: z.string(), caveat: z.string().optional() }).optional(),
  /** Set when the host is a compiled BPF object file (.bpf.o): read-only, shown as if loaded, nothing live; btfId: its own BTF, what the BTF browser shows (it has no vmlinux). */
  objectFile: z.object({ file: z.string(), license: z.string().optional(), btfId: z.number().int().optional() }).optional(),
});

export const VersionsSchema = z.object({
  app: z.string(),
  node: z.string(),
  kernel: z.string(),
  electron: z.string().optional(),
  chrome: z.string().optional(),
  agent: z.string().optional(),
});

export type Owner = z.infer<typeof OwnerSchema>;
export type ProgramSummary = z.infer<typeof ProgramSummarySchema>;
export type MapSummary = z.infer<typeof MapSummarySchema>;
export type LinkSummary = z.infer<typeof LinkSummarySchema>;
export type ProgramDetail = z.infer<typeof ProgramDetailSchema>;
export type MapDetail = z.infer<typeof MapDetailSchema>;
export type LinkDetail = z.infer<typeof LinkDetailSchema>;
export type HostStatus = z.infer<typeof HostStatusSchema>;
export type HostSummary = z.infer<typeof HostSummarySchema>;
export type HostKeyQuestion = z.infer<typeof HostKeyQuestionSchema>;
export type Versions = z.infer<typeof VersionsSchema>;
