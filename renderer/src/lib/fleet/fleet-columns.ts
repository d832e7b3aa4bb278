// The all-hosts programs table: the Programs tab's columns that need no live stats,
// with the host in front and the drift flag behind, as pure functions of the rows.
import type { Result } from '../../../../main/api/contract.js';
import { PROGRAM_COLUMNS, type Column, type ProgramRow } from '../objects/columns.js';

export type FleetAnswer = Result<'listFleetPrograms'>;

export type FleetRow = ProgramRow & {
  /** The host id the row links to. */
  host: string;
  hostLabel: string;
  /** The program's name has other tags on another host. */
  drift: boolean;
};

/** Live stats are per host (the Programs tab of each): this table shows what every host lists. */
const LISTED_TITLES = new Set(['ID', 'Type', 'Name', 'Tag', 'Owners']);

export const DRIFT_TEXT = 'drift';

export const FLEET_COLUMNS: Column<FleetRow>[] = [
  { title: 'Host', cell: (p) => p.hostLabel, width: '160px', facet: (p) => [p.hostLabel] },
  ...(PROGRAM_COLUMNS.filter((c) => LISTED_TITLES.has(c.title)) as Column<FleetRow>[]),
  { title: 'Drift', cell: (p) => (p.drift ? DRIFT_TEXT : ''), width: '60px', facet: (p) => (p.drift ? [DRIFT_TEXT] : []) },
];

export function fleetRows(answer: FleetAnswer): FleetRow[] {
  const labels = new Map(answer.hosts.map((h) => [h.host, h.label]));
  return answer.programs.map(({ host, drift, program }) => ({ ...program, host, hostLabel: labels.get(host) ?? host, drift }));
}
