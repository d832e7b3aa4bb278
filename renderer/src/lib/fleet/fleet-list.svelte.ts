// The all-hosts programs list: the table's rows, and which hosts are missing from it and why.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { ObjectList } from '../objects/object-list.svelte.js';
import { TableState } from '../objects/table-state.svelte.js';
import { FLEET_COLUMNS, fleetRows, type FleetAnswer, type FleetRow } from './fleet-columns.js';

export class FleetList extends ObjectList<FleetAnswer> {
  /** Hosts not asked (down, or waiting for a host key decision). */
  skipped = $state.raw<FleetAnswer['skipped']>([]);
  /** Hosts asked that failed or did not answer in time. */
  failed = $state.raw<FleetAnswer['failed']>([]);
  readonly table = new TableState<FleetRow>(FLEET_COLUMNS);

  constructor(api: BpfscopeApi) {
    super(() => api.listFleetPrograms({}), (answer) => {
      this.table.rows = fleetRows(answer);
      this.skipped = answer.skipped;
      this.failed = answer.failed;
    });
  }
}
