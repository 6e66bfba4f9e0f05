import type { ManifestSource } from './deployment.js';

/** Where a command finds the deployment, and how it prints (every command that reads AWS takes these). */
export interface StackOptions {
  readonly source: ManifestSource;
  /** Undefined: the SDK's default chain (AWS_REGION, the profile) decides. */
  readonly region?: string;
  /** Undefined: AWS_PROFILE or the default profile. */
  readonly profile?: string;
  readonly json: boolean;
}
