import { createHash } from 'node:crypto';

/**
 * How a stage spreads its refreshers over stacks (lib/token-refresher-fleet.ts builds them, `plan`
 * shows them). A provider's stack is a hash of its id modulo a fixed number, so adding or removing a
 * provider never moves another one.
 */
export const FLEET_STACKS = 16;
/**
 * A refresher stack holds 7 resources and 4 outputs per provider (CloudFormation allows 500 and 200);
 * 45 leaves 10 % margin on the outputs.
 */
export const MAX_PROVIDERS_PER_STACK = 45;
/** The stage's shared stack holds 2 resources per created credentials secret (of 500): 10 % margin. */
export const MAX_PROVIDERS_PER_STAGE = 220;

/** The refresher stack of a provider: stable for its id, whatever else the file lists. */
export function fleetStackIndex(providerId: string): number {
  return createHash('sha256').update(providerId).digest().readUInt32BE(0) % FLEET_STACKS;
}

/** The name of refresher stack `index` of the stage whose shared stack is `stackName`. */
export function refresherStackName(stackName: string, index: number): string {
  return `${stackName}-${String(index).padStart(2, '0')}`;
}

/** Whether a fleet fits CloudFormation's limits, one line per stack that would not. */
export function capacityProblems(providerIds: readonly string[]): string[] {
  const problems: string[] = [];
  if (providerIds.length > MAX_PROVIDERS_PER_STAGE) {
    problems.push(
      `${providerIds.length} providers in one stage, at most ${MAX_PROVIDERS_PER_STAGE} fit its shared stack; split them over two stages (two providers files, each deployed with its own --context stage=<name>)`,
    );
  }
  const perStack = new Map<number, number>();
  for (const id of providerIds) perStack.set(fleetStackIndex(id), (perStack.get(fleetStackIndex(id)) ?? 0) + 1);
  for (const [index, count] of perStack) {
    if (count > MAX_PROVIDERS_PER_STACK) {
      problems.push(
        `${count} providers hash to refresher stack ${index}, at most ${MAX_PROVIDERS_PER_STACK} fit; split the providers over two stages`,
      );
    }
  }
  return problems;
}
