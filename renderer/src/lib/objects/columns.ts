// What each table shows, as pure functions of the API records.
import type { LinkSummary, MapSummary, Owner, ProgramSummary } from '../../../../main/api/records.js';

export interface Column<Row> {
  title: string;
  cell(row: Row): string;
  mono?: boolean;
  numeric?: boolean;
  /** Sort by this instead of the cell text. */
  sortKey?: (row: Row) => number | string;
  /** Width in the grid: CSS length; default 1fr. */
  width?: string;
  /** Drawn as a sparkline of these values instead of text. */
  spark?: (row: Row) => number[];
  /** The values a row offers this column's facet filter (a select above the table). */
  facet?: (row: Row) => string[];
  /** The cell is the row's link (what Tab reaches and a screen reader announces). */
  link?: boolean;
}

/** Live stats of a program, from the `series` programs stream. */
export interface LiveStats {
  eventsPerSec: number;
  avgRunNs: number;
  cpuPercent: number;
}

export type ProgramRow = ProgramSummary & { live?: LiveStats; history?: number[] };

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? '' : value.toFixed(digits);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function ownersText(pids: Owner[] | undefined): string {
  return (pids ?? []).map((p) => `${p.comm}(${p.pid})`).join(', ');
}

export const PROGRAM_COLUMNS: Column<ProgramRow>[] = [
  { title: 'ID', cell: (p) => text(p.id), numeric: true, mono: true, width: '70px' },
  { title: 'Type', cell: (p) => text(p.type), width: '140px', facet: (p) => [text(p.type)] },
  { title: 'Name', cell: (p) => text(p.name), mono: true, width: '1.4fr', link: true },
  { title: 'Tag', cell: (p) => text(p.tag), mono: true, width: '150px' },
  { title: 'Events/s', cell: (p) => fixed(p.live?.eventsPerSec, 1), numeric: true, sortKey: (p) => p.live?.eventsPerSec ?? -1, width: '90px' },
  { title: 'Trend', cell: () => '', spark: (p) => p.history ?? [], sortKey: (p) => p.live?.eventsPerSec ?? -1, width: '84px' },
  { title: 'Avg ns', cell: (p) => fixed(p.live?.avgRunNs, 0), numeric: true, sortKey: (p) => p.live?.avgRunNs ?? -1, width: '80px' },
  { title: 'CPU %', cell: (p) => fixed(p.live?.cpuPercent, 3), numeric: true, sortKey: (p) => p.live?.cpuPercent ?? -1, width: '80px' },
  { title: 'Owners', cell: (p) => ownersText(p.pids), facet: (p) => (p.pids ?? []).map((o) => o.comm) },
];

export const MAP_COLUMNS: Column<MapSummary>[] = [
  { title: 'ID', cell: (m) => text(m.id), numeric: true, mono: true, width: '70px' },
  { title: 'Type', cell: (m) => text(m.type), width: '130px', facet: (m) => [text(m.type)] },
  { title: 'Name', cell: (m) => text(m.name), mono: true, width: '1.2fr', link: true },
  { title: 'Key', cell: (m) => text(m.bytes_key), numeric: true, width: '60px' },
  { title: 'Value', cell: (m) => text(m.bytes_value), numeric: true, width: '60px' },
  { title: 'Max entries', cell: (m) => text(m.max_entries), numeric: true, width: '100px' },
  { title: 'Memlock', cell: (m) => text(m.bytes_memlock), numeric: true, width: '100px' },
  { title: 'Owners', cell: (m) => ownersText(m.pids) },
];

export const LINK_COLUMNS: Column<LinkSummary>[] = [
  { title: 'ID', cell: (l) => text(l.id), numeric: true, mono: true, width: '70px' },
  { title: 'Type', cell: (l) => text(l.type), width: '120px' },
  // A struct_ops link has no program (prog_id 0): its row opens the struct_ops map.
  { title: 'Program', cell: (l) => (l.prog_id ? text(l.prog_id) : '—'), numeric: true, mono: true, width: '90px', link: true },
  { title: 'Attach', cell: (l) => text(l.attach_point ?? '') },
  { title: 'Owners', cell: (l) => ownersText(l.pids) },
];
