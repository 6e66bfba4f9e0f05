import { MANIFEST_OUTPUT_SUFFIX } from '../../contract/refresher-manifest.js';
import { MANIFEST_STACK_TAG, STAGE_TAG } from '../../contract/naming.js';
import { EXIT } from '../exit-codes.js';
import type { AwsClients } from './aws-clients.js';
import { CliError, errorMessage, UsageError } from './errors.js';
import { readTaggedManifests } from './manifest-parameters.js';
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
 * Puts several stacks' manifests together. One refresher found twice, in a stack output and in its
 * manifest parameter, is one (the same stack and function). A provider two refreshers declare is a deployment
 * mistake (a stage deployed twice under different names, a leftover stack): picking one would hide
 * it, so it is reported and neither is used.
 */
export function combineStacks(
  parts: readonly StackManifests[],
  context: Omit<Deployment, 'stacks' | 'refreshers' | 'ambiguous' | 'problems'>,
  extraProblems: readonly DeploymentProblem[] = [],
): Deployment {
  const byProvider = new Map<string, Refresher[]>();
  for (const part of parts) {
    for (const refresher of part.refreshers) {
      const found = byProvider.get(refresher.provider) ?? [];
      const same = (r: Refresher) => r.stackName === refresher.stackName && r.functionName === refresher.functionName;
      if (found.some(same)) continue;
      byProvider.set(refresher.provider, [...found, refresher]);
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
    stacks: parts
      .filter((p, index) => parts.findIndex((q) => q.stackName === p.stackName) === index)
      .map((p) => ({ name: p.stackName, status: p.stackStatus })),
    refreshers,
    ambiguous,
    problems,
  };
}

/** The clients `readDeployment` calls: CloudFormation for stacks, SSM for manifest parameters. */
export type DeploymentClients = Pick<AwsClients, 'cloudFormation' | 'ssm'>;

export async function readDeployment(
  source: ManifestSource,
  clients: DeploymentClients,
  cwd: string,
): Promise<Deployment> {
  const region = await regionOf(clients.cloudFormation);
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
    case 'stack':
      deployment = await readStack(source, clients, region);
      break;
    case 'stage':
      deployment = await readStage(source.stage, clients, region);
      break;
  }
  if (deployment.refreshers.length === 0 && deployment.problems.length === 0) throw nothingFound(source, deployment);
  return deployment;
}

/**
 * One stack: the refreshers its outputs list (`TokenRefresherStack`, `TokenRefresherFleet`), else the
 * manifest parameters tagged with its name (a `ProviderTokenRefresher` in a stack of your own).
 */
async function readStack(
  source: Extract<ManifestSource, { kind: 'stack' }>,
  clients: DeploymentClients,
  region: string,
): Promise<Deployment> {
  const stack = await describeStack(clients.cloudFormation, source.stack, region);
  const tagged = stageOf(stack);
  if (source.stage !== undefined && tagged !== source.stage) {
    throw new CliError(
      `stack "${source.stack}" in ${region} belongs to ${tagged === undefined ? 'no stage' : `stage "${tagged}"`}, ` +
        `not "${source.stage}" (stack tag ${STAGE_TAG}): drop --stage or --stack`,
      EXIT.aws,
      'stack_not_found',
    );
  }
  const fromOutputs = manifestsOfStack(stack);
  const listed = fromOutputs.refreshers.length > 0 || fromOutputs.problems.length > 0;
  const fromParameters = listed ? undefined : await readTaggedManifests(clients.ssm, MANIFEST_STACK_TAG, source.stack);
  const context = {
    description: `stack "${source.stack}"`,
    ...(tagged === undefined ? {} : { stage: tagged }),
    region,
  };
  if (fromParameters === undefined) return combineStacks([fromOutputs], context);
  // The stack's own status, not the parameters' source, is what the messages show.
  const parts = fromParameters.stacks.map((part) => ({ ...part, stackStatus: fromOutputs.stackStatus }));
  return combineStacks(
    parts.length > 0 ? parts : [fromOutputs],
    context,
    fromParameters.problems.map((message) => ({ message })),
  );
}

/**
 * Every stack tagged with the stage, and every manifest parameter tagged with it: a refresher of a
 * `TokenRefresherFleet` is in both (one refresher, by its function), one in your own stack only in
 * the parameters, one deployed before the parameters only in its stack's outputs.
 */
async function readStage(stage: string, clients: DeploymentClients, region: string): Promise<Deployment> {
  const [found, parameters] = await Promise.all([
    findStageStacks(clients.cloudFormation, stage),
    readTaggedManifests(clients.ssm, STAGE_TAG, stage).catch((error: unknown) => error as Error),
  ]);
  const fromStacks = found.readable.map(manifestsOfStack);
  const problems = found.skipped.map((s) => ({
    message: `stack "${s.name}" is ${s.status}: its refreshers are not shown until it is deployed`,
  }));
  let fromParameters: readonly StackManifests[] = [];
  if (parameters instanceof Error) {
    // Operators whose policy predates the manifest parameters still see what the stacks list.
    if (!fromStacks.some((part) => part.refreshers.length > 0)) throw parameters;
    problems.push({
      message:
        `manifest parameters tagged ${STAGE_TAG}=${stage} could not be read (${errorMessage(parameters)}): ` +
        'refreshers that no stack output lists are not shown; allow ssm:DescribeParameters and ssm:GetParameters',
    });
  } else {
    fromParameters = parameters.stacks;
    problems.push(...parameters.problems.map((message) => ({ message })));
  }
  const nothing = found.readable.length === 0 && fromParameters.length === 0 && problems.length === 0;
  if (nothing) throw missingStage(stage, region, found);
  return combineStacks(
    [...fromStacks, ...fromParameters],
    { description: `stage "${stage}"`, stage, region },
    problems,
  );
}

/** Nothing to operate: says where it looked, what it looked for, and what to pass instead. */
function nothingFound(source: ManifestSource, deployment: Deployment): CliError {
  const stacks = deployment.stacks.map((s) => `${s.name} (${s.status})`).join(', ') || 'any stack';
  const outputs = `no stack output <Provider>${MANIFEST_OUTPUT_SUFFIX} in ${stacks}`;
  switch (source.kind) {
    case 'outputs-file':
      return new CliError(
        `${deployment.description} lists no refresher: ${outputs}. Only TokenRefresherStack and ` +
          'TokenRefresherFleet add those outputs; read a ProviderTokenRefresher in your own stack from AWS with ' +
          '--stack <name> or --stage <name> instead',
        EXIT.usage,
        'no_refreshers',
      );
    case 'stack':
      return new CliError(
        `no refresher in stack "${source.stack}" in ${deployment.region}: ${outputs}, and no manifest parameter ` +
          `tagged ${MANIFEST_STACK_TAG}=${source.stack}. Is a ProviderTokenRefresher deployed in it ` +
          '(npx cdk deploy)? Or pass --stage <name>, or another --stack',
        EXIT.aws,
        'no_refreshers',
      );
    case 'stage':
      return new CliError(
        `no refresher of stage "${source.stage}" in ${deployment.region}: ${outputs}, and no manifest parameter ` +
          `tagged ${STAGE_TAG}=${source.stage}. Is one deployed (npx cdk deploy)? Or pass --stack <name>, or ` +
          'another --stage',
        EXIT.aws,
        'no_refreshers',
      );
  }
}

function missingStage(stage: string, region: string, found: Awaited<ReturnType<typeof findStageStacks>>): CliError {
  const hints = [`is it deployed (npx cdk deploy)?`];
  if (found.otherStages.length > 0) hints.push(`pass --stage with one of: ${found.otherStages.join(', ')}`);
  if (found.untagged.length > 0) {
    hints.push(`read a stack deployed before stages with --stack (here: ${found.untagged.join(', ')})`);
  }
  hints.push('read your own stack with --stack <name>');
  hints.push("or read a deploy's outputs with --outputs-file");
  return new CliError(
    `no refresher of stage "${stage}" in ${region}: no stack has the stack tag ${STAGE_TAG}=${stage}, and no ` +
      `manifest parameter the tag ${STAGE_TAG}=${stage}; ${hints.join('; ')}`,
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
