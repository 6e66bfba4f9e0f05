/**
 * The refresh engine's entry point: one run of the algorithm (docs/how-it-works.md "Each run"),
 * told in core/run/orchestrator.ts over the objects that own its parts (core/run/*).
 */
import { refreshOnce } from './run/orchestrator.js';
import type { RefreshDeps, RefreshInput, RunReport } from './run/types.js';

export { AWS_CALL_TIMEOUT_MS, STORE_RESERVE_MS } from './run/aws-call.js';
export { EXPIRY_DRIFT_SECONDS } from './run/publish.js';
export type { RefreshDeps, RefreshInput, RefreshResult, RunReport } from './run/types.js';

/** Runs the refresh algorithm once. Throws only on unexpected bugs. */
export function runRefresh(deps: RefreshDeps, input: RefreshInput): Promise<RunReport> {
  return refreshOnce(deps, input);
}
