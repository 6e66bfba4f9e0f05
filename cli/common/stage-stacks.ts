import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { STAGE_TAG } from '../../contract/naming.js';
import { awsCall } from './aws-failure.js';
import { isManifestOutput } from './stack-manifest.js';

/**
 * The stacks of one stage: every stack the app creates carries the stack tag STAGE_TAG with the stage
 * as its value (contract/naming.ts), however many stacks the app splits a stage's providers into.
 */

export interface StageStacks {
  /** Stacks of the stage whose outputs can be read, in CloudFormation's order. */
  readonly readable: readonly Stack[];
  /** Stacks of the stage in a state with no outputs to trust (being created, rolled back, deleted). */
  readonly skipped: readonly { readonly name: string; readonly status: string }[];
  /** Other stages found in the region, for the message when the stage has no stack. */
  readonly otherStages: readonly string[];
  /** Stacks without the tag that have refresher outputs: deployed before stages existed. */
  readonly untagged: readonly string[];
}

/**
 * A stack's outputs are worth reading once it has been created or while it is being updated (the
 * outputs of the last deployment stay until the update completes). A stack being created, one whose
 * creation failed or rolled back, and one being deleted have none to trust; DELETE_COMPLETE stacks
 * are history.
 */
export function isReadableStatus(status: string): boolean {
  if (status === 'DELETE_COMPLETE' || status === 'ROLLBACK_COMPLETE') return false;
  return status.endsWith('_COMPLETE') || status.startsWith('UPDATE_');
}

/** The stage a stack carries; undefined for a stack deployed before stages. */
export const stageOf = (stack: Stack) => stack.Tags?.find((tag) => tag.Key === STAGE_TAG)?.Value;

/** Every stack in the region, page by page (DescribeStacks without a name answers 100 per page). */
async function allStacks(client: CloudFormationClient): Promise<Stack[]> {
  const stacks: Stack[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall(client, 'DescribeStacks', () =>
      client.send(new DescribeStacksCommand(nextToken === undefined ? {} : { NextToken: nextToken })),
    );
    stacks.push(...(page.Stacks ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return stacks;
}

export async function findStageStacks(client: CloudFormationClient, stage: string): Promise<StageStacks> {
  const readable: Stack[] = [];
  const skipped: { name: string; status: string }[] = [];
  const otherStages = new Set<string>();
  const untagged: string[] = [];
  for (const stack of await allStacks(client)) {
    const status = stack.StackStatus ?? 'UNKNOWN';
    if (status === 'DELETE_COMPLETE') continue;
    const tagged = stageOf(stack);
    if (tagged === undefined) {
      if ((stack.Outputs ?? []).some((o) => isManifestOutput(o.OutputKey ?? ''))) untagged.push(stack.StackName ?? '');
    } else if (tagged !== stage) {
      otherStages.add(tagged);
    } else if (isReadableStatus(status)) {
      readable.push(stack);
    } else {
      skipped.push({ name: stack.StackName ?? '', status });
    }
  }
  return { readable, skipped, otherStages: [...otherStages].sort(), untagged: untagged.sort() };
}
