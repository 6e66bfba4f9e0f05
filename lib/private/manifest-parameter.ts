import { Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { DEFAULT_STAGE, MANIFEST_STACK_TAG, STAGE_TAG } from '../../contract/naming.js';
import type { RefresherManifest } from '../../contract/refresher-manifest.js';

/**
 * The refresher's manifest as a String parameter of the standard tier (free, up to 4 KB; a manifest
 * is names only, under 2 KB even with the longest prefix and provider id), at the name
 * contract/naming.ts gives it. It is what lets the operator CLI find a refresher in any stack of any
 * app: by its stage tag (`status`, `refresh`, `check` with `--stage`) or its stack tag (`--stack`),
 * without stack outputs, which only `TokenRefresherStack` and `TokenRefresherFleet` add. It holds no
 * secret, so it needs no key; CloudFormation deletes it with the refresher.
 */
export function createManifestParameter(
  scope: Construct,
  parameterName: string,
  manifest: RefresherManifest,
  stage: string | undefined,
): ssm.CfnParameter {
  const stack = Stack.of(scope);
  return new ssm.CfnParameter(scope, 'Manifest', {
    name: parameterName,
    type: 'String',
    tier: 'Standard',
    description: `token-refresher: where the operator CLI finds provider "${manifest.provider}" (names only)`,
    value: stack.toJsonString({ ...manifest, stack: stack.stackName }),
    tags: { [STAGE_TAG]: stage ?? DEFAULT_STAGE, [MANIFEST_STACK_TAG]: stack.stackName },
  });
}
