import { createHash } from 'node:crypto';

/**
 * How a stage spreads its refreshers over stacks (lib/token-refresher-fleet.ts builds them, `plan`
 * shows them). A provider's stack is a hash of its id modulo a fixed number, so adding or removing a
 * provider never moves another one.
 *
 * Two layouts, which differ in where a created credentials secret lives:
 * - `shared-stack` (every stage deployed before the option): in the stage's shared stack, beside the key. The shared
 *   stack grows with the providers (2 resources each), which caps the stage at 220; 16 refresher stacks.
 * - `refresher-stacks`: in the provider's own refresher stack, so the shared stack no longer grows
 *   and adding or removing a provider changes one refresher stack only; 64 refresher stacks, named
 *   `…-r00` to `…-r63` so that none is a stack of the other layout (docs/stage-layout.md moves a stage).
 */
export type CredentialsLayout = 'shared-stack' | 'refresher-stacks';
export const CREDENTIALS_LAYOUTS: readonly CredentialsLayout[] = ['shared-stack', 'refresher-stacks'];

/**
 * A released version (0.1.0) only ever deployed the default stage, with its secrets in the stack
 * `TokenRefresher`: it keeps them there unless told otherwise. A named stage is new, so it starts in
 * the layout that scales.
 */
export function defaultCredentialsLayout(stage: string | undefined): CredentialsLayout {
  return stage === undefined ? 'shared-stack' : 'refresher-stacks';
}

/** Refresher stacks of the `shared-stack` layout. */
export const FLEET_STACKS = 16;
/** Refresher stacks of the `refresher-stacks` layout: 1,000 providers average 16 a stack. */
export const FLEET_STACKS_WITH_CREDENTIALS = 64;

/**
 * A refresher's resources in its refresher stack: role, its policy, function, its invoke config, 3
 * alarms, schedule, and the manifest parameter the CLI finds it by (lib/private/manifest-parameter.ts).
 */
export const RESOURCES_PER_REFRESHER = 9;
/** A created credentials secret: the secret and its resource policy. */
export const RESOURCES_PER_CREATED_SECRET = 2;
/** What every refresher stack holds once (lib/private/stack-shared.ts): queue, its policy, log group, role, its policy, CDK metadata. */
export const RESOURCES_PER_REFRESHER_STACK = 6;
/** What the shared stack holds besides secrets: topic, its policy, key, dashboard, CDK metadata (and one subscription per alarm e-mail). */
export const RESOURCES_OF_SHARED_STACK = 5;
/** Outputs per provider (lib/private/stage-parts.ts addProviderOutputs). */
export const OUTPUTS_PER_PROVIDER = 4;
/** What a template may hold: CloudFormation allows 500 resources and 200 outputs; 10 % margin. */
export const STACK_RESOURCE_BUDGET = 450;
export const STACK_OUTPUT_BUDGET = 180;
/** The most providers a refresher stack holds in either layout within the budgets: 44 (10 resources and 4 outputs each). */
export const MAX_PROVIDERS_PER_STACK = Math.min(
  Math.floor(STACK_OUTPUT_BUDGET / OUTPUTS_PER_PROVIDER),
  Math.floor(
    (STACK_RESOURCE_BUDGET - RESOURCES_PER_REFRESHER_STACK) / (RESOURCES_PER_REFRESHER + RESOURCES_PER_CREATED_SECRET),
  ),
);
/** The `shared-stack` layout's shared stack holds 2 resources per created credentials secret (of 500): 10 % margin. */
export const MAX_PROVIDERS_PER_STAGE = 220;

/** How many refresher stacks a layout hashes its providers into. */
export function fleetStacks(layout: CredentialsLayout = 'shared-stack'): number {
  return layout === 'shared-stack' ? FLEET_STACKS : FLEET_STACKS_WITH_CREDENTIALS;
}

/** The refresher stack of a provider: stable for its id, whatever else the file lists. */
export function fleetStackIndex(providerId: string, layout: CredentialsLayout = 'shared-stack'): number {
  return createHash('sha256').update(providerId).digest().readUInt32BE(0) % fleetStacks(layout);
}

/** The name of refresher stack `index` of the stage whose shared stack is `stackName`. */
export function refresherStackName(
  stackName: string,
  index: number,
  layout: CredentialsLayout = 'shared-stack',
): string {
  const padded = String(index).padStart(2, '0');
  return layout === 'shared-stack' ? `${stackName}-${padded}` : `${stackName}-r${padded}`;
}

/**
 * Resources of a refresher stack holding `providers` refreshers, `createdSecrets` of them with a
 * credentials secret it creates (only in the `refresher-stacks` layout). test/infra/fleet.test.ts
 * checks this against synthesized templates.
 */
export function refresherStackResources(providers: number, createdSecrets: number): number {
  return (
    RESOURCES_PER_REFRESHER_STACK + providers * RESOURCES_PER_REFRESHER + createdSecrets * RESOURCES_PER_CREATED_SECRET
  );
}

/** Whether a fleet fits CloudFormation's limits, one line per stack that would not. */
export function capacityProblems(providerIds: readonly string[], layout: CredentialsLayout = 'shared-stack'): string[] {
  const problems: string[] = [];
  if (layout === 'shared-stack' && providerIds.length > MAX_PROVIDERS_PER_STAGE) {
    problems.push(
      `${providerIds.length} providers in one stage, at most ${MAX_PROVIDERS_PER_STAGE} fit its shared stack with credentialsLayout "shared-stack"; a new stage: set credentialsLayout "refresher-stacks" (--context credentialsLayout=refresher-stacks), which holds each secret in its refresher's stack; an existing stage: see docs/stage-layout.md, or split them over two stages`,
    );
  }
  const perStack = new Map<number, number>();
  for (const id of providerIds) {
    const index = fleetStackIndex(id, layout);
    perStack.set(index, (perStack.get(index) ?? 0) + 1);
  }
  for (const [index, count] of perStack) {
    if (count > MAX_PROVIDERS_PER_STACK) {
      problems.push(
        `${count} providers hash to refresher stack ${index}, at most ${MAX_PROVIDERS_PER_STACK} fit; split the providers over two stages`,
      );
    }
  }
  return problems;
}
