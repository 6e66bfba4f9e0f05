import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { MANIFEST_OUTPUT_SUFFIX } from '../../contract/refresher-manifest.js';
import { STAGE_TAG } from '../../contract/naming.js';
import { EXIT } from '../exit-codes.js';
import { CliError, UsageError } from './errors.js';
import { readOutputsFile } from './outputs-file.js';
import {
  describeStack,
  manifestsOf,
  manifestsOfStack,
  type Refresher,
  regionOf,
  type StackManifests,
} from './stack-manifest.js';
import { findStageStacks, stageOf } from './stage-stacks.js';

/**
 * The refreshers `status` and `refresh` work on, from every stack of a stage, one stack, or a
 * `cdk deploy --outputs-file` result (ManifestSource, which cli/args.ts builds from the options).
 */

/** Where `status` and `refresh` find the refresher manifests. */
export type ManifestSource =
  /** Every stack tagged with the stage (contract/naming.ts STAGE_TAG). */
  | { readonly kind: 'stage'; readonly stage: string }
  /** One stack by name; `stage` only when --stage was given too, and then the stack must carry it. */
  | { readonly kind: 'stack'; readonly stack: string; readonly stage?: string }
  /** A `cdk deploy --outputs-file` result; `stack` restricts it to one of its stacks. */
  | { readonly kind: 'outputs-file'; readonly path: string; readonly stack?: string };

/** A problem with the deployment itself; `provider` when it concerns one provider. */
export interface DeploymentProblem {
  readonly message: string;
  readonly provider?: string;
}

export interface Deployment {
  /** What was read, for messages: `stage "default"`, `stack "X"`, `outputs file out.json`. */
  readonly description: string;
  readonly stage?: string;
  readonly outputsFile?: string;
  readonly region: string;
  readonly stacks: readonly { readonly name: string; readonly status: string }[];
  /** Valid manifests of every stack, sorted by provider id. */
  readonly refreshers: readonly Refresher[];
  /** Providers declared by more than one stack, with those stacks: neither is used. */
  readonly ambiguous: ReadonlyMap<string, readonly string[]>;
  readonly problems: readonly DeploymentProblem[];
}

/**
 * Puts several stacks' manifests together. A provider two stacks declare is a deployment mistake
 * (a stage deployed twice under different names, a leftover stack): picking one would hide it, so
 * it is reported and neither is used.
 */
export function combineStacks(
  parts: readonly StackManifests[],
  context: Omit<Deployment, 'stacks' | 'refreshers' | 'ambiguous' | 'problems'>,
  extraProblems: readonly DeploymentProblem[] = [],
): Deployment {
  const byProvider = new Map<string, Refresher[]>();
  for (const part of parts) {
    for (const refresher of part.refreshers) {
      byProvider.set(refresher.provider, [...(byProvider.get(refresher.provider) ?? []), refresher]);
    }
  }
  const problems: DeploymentProblem[] = [
    ...extraProblems,
    ...parts.flatMap((p) => p.problems.map((message) => ({ message }))),
  ];
  const ambiguous = new Map<string, string[]>();
  const refreshers: Refresher[] = [];
  for (const [provider, found] of byProvider) {
    if (found.length === 1) {
      refreshers.push(found[0]!);
      continue;
    }
    const stacks = found.map((r) => r.stackName);
    ambiguous.set(provider, stacks);
    problems.push({
      provider,
      message:
        `provider "${provider}" is declared by ${stacks.length} stacks (${stacks.join(', ')}); neither is shown: ` +
        'delete the stack that should not have it, or read one with --stack <name>',
    });
  }
  refreshers.sort((a, b) => a.provider.localeCompare(b.provider));
  return {
    ...context,
    stacks: parts.map((p) => ({ name: p.stackName, status: p.stackStatus })),
    refreshers,
    ambiguous,
    problems,
  };
}

export async function readDeployment(
  source: ManifestSource,
  client: CloudFormationClient,
  cwd: string,
): Promise<Deployment> {
  const region = await regionOf(client);
  let deployment: Deployment;
  switch (source.kind) {
    case 'outputs-file': {
      const stacks = await readOutputsFile(source.path, cwd, source.stack);
      deployment = combineStacks(
        stacks.map((s) => manifestsOf(s.stackName, 'outputs file', s.outputs)),
        { description: `outputs file ${source.path}`, outputsFile: source.path, region },
      );
      break;
    }
    case 'stack': {
      const stack = await describeStack(client, source.stack, region);
      const tagged = stageOf(stack);
      if (source.stage !== undefined && tagged !== source.stage) {
        throw new CliError(
          `stack "${source.stack}" in ${region} belongs to ${tagged === undefined ? 'no stage' : `stage "${tagged}"`}, ` +
            `not "${source.stage}" (stack tag ${STAGE_TAG}): drop --stage or --stack`,
          EXIT.aws,
          'stack_not_found',
        );
      }
      deployment = combineStacks([manifestsOfStack(stack)], {
        description: `stack "${source.stack}"`,
        ...(tagged === undefined ? {} : { stage: tagged }),
        region,
      });
      break;
    }
    case 'stage': {
      const found = await findStageStacks(client, source.stage);
      if (found.readable.length === 0 && found.skipped.length === 0) throw missingStage(source.stage, region, found);
      const skipped = found.skipped.map((s) => ({
        message: `stack "${s.name}" is ${s.status}: its refreshers are not shown until it is deployed`,
      }));
      deployment = combineStacks(
        found.readable.map(manifestsOfStack),
        { description: `stage "${source.stage}"`, stage: source.stage, region },
        skipped,
      );
      break;
    }
  }
  if (deployment.refreshers.length === 0 && deployment.problems.length === 0) {
    const stacks = deployment.stacks.map((s) => `${s.name} (${s.status})`).join(', ') || 'any stack';
    const none = `has no refresher outputs (<Provider>${MANIFEST_OUTPUT_SUFFIX}) in ${stacks}`;
    if (source.kind === 'outputs-file') {
      throw new CliError(
        `${deployment.description} ${none}: write it with npx cdk deploy --outputs-file <file> from this version ` +
          'of token-refresher',
        EXIT.usage,
        'no_refreshers',
      );
    }
    throw new CliError(
      `${deployment.description} in ${region} ${none}: deploy this version of token-refresher with ` +
        'npx cdk deploy, or pass --stack or --stage',
      EXIT.aws,
      'no_refreshers',
    );
  }
  return deployment;
}

function missingStage(stage: string, region: string, found: Awaited<ReturnType<typeof findStageStacks>>): CliError {
  const hints = [`deploy it with npx cdk deploy`];
  if (found.otherStages.length > 0) hints.push(`pass --stage with one of: ${found.otherStages.join(', ')}`);
  if (found.untagged.length > 0) {
    hints.push(`read a stack deployed before stages with --stack (here: ${found.untagged.join(', ')})`);
  }
  hints.push("or read a deploy's outputs with --outputs-file");
  return new CliError(
    `no stack of stage "${stage}" in ${region} (none has the stack tag ${STAGE_TAG}=${stage}): ${hints.join('; ')}`,
    EXIT.aws,
    'stage_not_found',
  );
}

function knownList(deployment: Deployment): string {
  const invalid = deployment.problems.filter((p) => p.provider === undefined).length;
  const known = [...deployment.refreshers.map((r) => r.provider), ...deployment.ambiguous.keys()].sort();
  return `${known.join(', ') || 'none'}${invalid > 0 ? ` (${invalid} invalid refresher output(s) skipped)` : ''}`;
}

/** The manifest of `provider`, or a usage error that lists the providers there are. */
export function findProvider(deployment: Deployment, provider: string, command: string): Refresher {
  const found = deployment.refreshers.find((r) => r.provider === provider);
  if (found) return found;
  const stacks = deployment.ambiguous.get(provider);
  if (stacks !== undefined) {
    throw new UsageError(
      `provider "${provider}" is declared by stacks ${stacks.join(', ')}; pick one with --stack <name>`,
      command,
    );
  }
  throw new UsageError(
    `unknown provider "${provider}" in ${deployment.description}; known: ${knownList(deployment)}`,
    command,
  );
}

/**
 * The deployment narrowed to `providers` (all when empty): unknown ids are a usage error listing the
 * known ones; problems about other providers, and those about no provider in particular, are left out.
 */
export function selectProviders(deployment: Deployment, providers: readonly string[], command: string): Deployment {
  if (providers.length === 0) return deployment;
  const unknown = providers.filter(
    (id) => !deployment.refreshers.some((r) => r.provider === id) && !deployment.ambiguous.has(id),
  );
  if (unknown.length > 0) {
    const ids = unknown.map((id) => `"${id}"`).join(', ');
    throw new UsageError(
      `unknown provider${unknown.length === 1 ? '' : 's'} ${ids} in ${deployment.description}; known: ${knownList(deployment)}`,
      command,
    );
  }
  return {
    ...deployment,
    refreshers: deployment.refreshers.filter((r) => providers.includes(r.provider)),
    problems: deployment.problems.filter((p) => p.provider !== undefined && providers.includes(p.provider)),
  };
}
