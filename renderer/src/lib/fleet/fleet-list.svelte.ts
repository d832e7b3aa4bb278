// The all-hosts programs list: the table's rows, and which hosts are missing from it and why.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import { toErrorData, type ApiErrorData } from '../../../../main/api/errors.js';
import type { ListStatus } from '../objects/object-list.svelte.js';
import { TableState } from '../objects/table-state.svelte.js';
import { FLEET_COLUMNS, fleetRows, type FleetAnswer, type FleetRow } from './fleet-columns.js';

export class FleetList {
  status = $state<ListStatus>('loading');
  error = $state.raw<ApiErrorData | null>(null);
  /** Hosts not asked (down, or waiting for a host key decision). */
  skipped = $state.raw<FleetAnswer['skipped']>([]);
  /** Hosts asked that failed or did not answer in time. */
  failed = $state.raw<FleetAnswer['failed']>([]);
  readonly table = new TableState<FleetRow>(FLEET_COLUMNS);
  private generation = 0;

  constructor(private readonly api: BpfscopeApi) {}

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.status = 'loading';
    try {
      const answer = await this.api.listFleetPrograms({});
      if (generation !== this.generation) return;
      this.table.rows = fleetRows(answer);
      this.skipped = answer.skipped;
      this.failed = answer.failed;
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = toErrorData(error);
      this.status = 'error';
    }
  }
}
