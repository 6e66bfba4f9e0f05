import type { AlarmKind } from '../../contract/refresher-manifest.js';
import type { Deployment } from '../common/deployment.js';
import type { Refresher } from '../common/stack-manifest.js';
import type { AlarmView } from './alarms.js';
import type { Problem } from './health.js';
import type { RecentRuns } from './last-outcome.js';
import type { LastRun } from './last-run.js';
import type { StateView, TokenView } from './stores.js';

/** What `status` knows about a deployment: collected by command.ts, rendered by table.ts and json.ts. */

export interface ProviderStatus {
  readonly manifest: Refresher;
  readonly token: TokenView;
  readonly state: StateView;
  readonly recent: RecentRuns;
  /** The newer of the metrics' last outcome and the published token's `issued_at`. */
  readonly lastRun: LastRun;
  /** How far back the metrics were read, in minutes. */
  readonly windowMinutes: number;
  /** Only the alarms the stack's manifest names: a stack deployed by an older version has fewer. */
  readonly alarms: Readonly<Partial<Record<AlarmKind, AlarmView>>>;
  /** Why the provider is not healthy; empty when it is. */
  readonly problems: readonly Problem[];
}

export interface StatusReport {
  readonly deployment: Deployment;
  /** Epoch ms the report was made at. */
  readonly now: number;
  readonly providers: readonly ProviderStatus[];
  readonly healthy: boolean;
}
