// What each table shows, as pure functions of the API records.
import type { LinkSummary, MapSummary, Owner, ProgramSummary } from '../../../../main/api/records.js';

export interface Column<Row> {
  title: string;
  cell(row: Row): string;
  mono?: boolean;
  numeric?: boolean;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function ownersText(pids: Owner[] | undefined): string {
  return (pids ?? []).map((p) => `${p.comm}(${p.pid})`).join(', ');
}

export const PROGRAM_COLUMNS: Column<ProgramSummary>[] = [
  { title: 'ID', cell: (p) => text(p.id), numeric: true },
  { title: 'Type', cell: (p) => text(p.type) },
  { title: 'Name', cell: (p) => text(p.name), mono: true },
  { title: 'Tag', cell: (p) => text(p.tag), mono: true },
  { title: 'Xlated bytes', cell: (p) => text(p.bytes_xlated), numeric: true },
  { title: 'Owners', cell: (p) => ownersText(p.pids) },
];

export const MAP_COLUMNS: Column<MapSummary>[] = [
  { title: 'ID', cell: (m) => text(m.id), numeric: true },
  { title: 'Type', cell: (m) => text(m.type) },
  { title: 'Name', cell: (m) => text(m.name), mono: true },
  { title: 'Key', cell: (m) => text(m.bytes_key), numeric: true },
  { title: 'Value', cell: (m) => text(m.bytes_value), numeric: true },
  { title: 'Max entries', cell: (m) => text(m.max_entries), numeric: true },
  { title: 'Owners', cell: (m) => ownersText(m.pids) },
];

export const LINK_COLUMNS: Column<LinkSummary>[] = [
  { title: 'ID', cell: (l) => text(l.id), numeric: true },
  { title: 'Type', cell: (l) => text(l.type) },
  { title: 'Program', cell: (l) => text(l.prog_id), numeric: true },
  { title: 'Attach', cell: (l) => text(l.attach_type ?? l.tp_name ?? l.func_name ?? l.target_name ?? '') },
  { title: 'Owners', cell: (l) => ownersText(l.pids) },
];
