import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  MANIFEST_OUTPUT_SUFFIX,
  type RefresherManifest,
  refresherManifestSchema,
} from '../../contract/refresher-manifest.js';
import { err, ok, type Result } from '../../base/result.js';
import { AwsCallError, awsCall } from './aws-failure.js';
import { CliError, errorMessage, isMissingRegion, NO_REGION_MESSAGE } from './errors.js';
import { EXIT } from '../exit-codes.js';
import { oneLine } from './text.js';

/** A refresher as its stack's manifest output describes it, and the stack that declares it. */
export type Refresher = RefresherManifest & { readonly stackName: string };

/** One stack output, from CloudFormation or from a `cdk deploy --outputs-file` result. */
export interface StackOutput {
  readonly key: string;
  readonly value: string;
}

/** The refreshers one stack declares in its outputs (contract/refresher-manifest.ts). */
export interface StackManifests {
  readonly stackName: string;
  /** CloudFormation's stack status; `outputs file` when read from one. */
  readonly stackStatus: string;
  /** Valid manifests, in output order. */
  readonly refreshers: readonly Refresher[];
  /** One line per output that ends in `Refresher` but is not a valid manifest. */
  readonly problems: readonly string[];
}

/** The region the client will call, for messages; a missing region is one readable line. */
export async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    if (isMissingRegion(error)) throw new CliError(NO_REGION_MESSAGE, EXIT.aws, 'no_region');
    throw error;
  }
}

/** CloudFormation answers an unknown stack with a generic ValidationError; only its message tells. */
function isMissingStack(error: unknown): boolean {
  return (
    (error as { name?: string } | undefined)?.name === 'ValidationError' && /does not exist/.test(errorMessage(error))
  );
}

/** A manifest's JSON, from a stack output or a manifest parameter; `where` names it in the problem. */
export function parseManifest(where: string, text: string): Result<RefresherManifest, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err(`${where} is not JSON`);
  }
  const parsed = refresherManifestSchema.safeParse(json);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return err(`${where} is not a refresher manifest (${oneLine(issues)})`);
}

/** Outputs whose key ends in `Refresher` hold manifests; the stack's other outputs are ignored. */
export function isManifestOutput(key: string): boolean {
  return key.endsWith(MANIFEST_OUTPUT_SUFFIX);
}

/**
 * Validates every refresher manifest among a stack's outputs. An invalid manifest (a stack deployed
 * by another version of this project) is reported, not fatal: the others still work.
 */
export function manifestsOf(stackName: string, stackStatus: string, outputs: readonly StackOutput[]): StackManifests {
  const refreshers: Refresher[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const output of outputs) {
    if (!isManifestOutput(output.key)) continue;
    const parsed = parseManifest(`stack "${stackName}", output "${output.key}"`, output.value);
    if (!parsed.ok) {
      problems.push(parsed.error);
      continue;
    }
    const manifest = parsed.value;
    if (seen.has(manifest.provider)) {
      problems.push(`stack "${stackName}", output "${output.key}" repeats provider "${manifest.provider}"; ignored`);
    } else {
      seen.add(manifest.provider);
      refreshers.push({ ...manifest, stackName });
    }
  }
  return { stackName, stackStatus, refreshers, problems };
}

/** A CloudFormation stack's outputs as manifests. */
export function manifestsOfStack(stack: Stack): StackManifests {
  const outputs = (stack.Outputs ?? []).map((o) => ({ key: o.OutputKey ?? '', value: o.OutputValue ?? '' }));
  return manifestsOf(stack.StackName ?? '', stack.StackStatus ?? 'UNKNOWN', outputs);
}

/** One stack by name (`--stack`), as DescribeStacks answers it. */
export async function describeStack(client: CloudFormationClient, stackName: string, region: string): Promise<Stack> {
  let stack;
  try {
    const answer = await awsCall(client, 'DescribeStacks', () =>
      client.send(new DescribeStacksCommand({ StackName: stackName })),
    );
    stack = answer.Stacks?.[0];
  } catch (error) {
    if (error instanceof AwsCallError && isMissingStack(error.cause)) throw missingStack(stackName, region);
    throw error;
  }
  if (!stack) throw missingStack(stackName, region);
  return stack;
}

function missingStack(stackName: string, region: string): CliError {
  return new CliError(
    `stack "${stackName}" not found in ${region}: deploy it with npx cdk deploy, or pass --stack or --stage`,
    EXIT.aws,
    'stack_not_found',
  );
}
