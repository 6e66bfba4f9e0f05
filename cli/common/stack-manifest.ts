import { type CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import {
  MANIFEST_OUTPUT_SUFFIX,
  type RefresherManifest,
  refresherManifestSchema,
} from '../../contract/refresher-manifest.js';
import { AwsCallError, CliError, errorMessage, isMissingRegion, NO_REGION_MESSAGE, UsageError } from './errors.js';
import { EXIT } from '../exit-codes.js';
import { oneLine } from './text.js';

/** A refresher as the stack's manifest output describes it. */
export type Refresher = RefresherManifest;

/** The refreshers a deployed stack declares in its outputs (contract/refresher-manifest.ts). */
export interface StackManifests {
  readonly stackName: string;
  readonly region: string;
  readonly stackStatus: string;
  /** Valid manifests, sorted by provider id. */
  readonly refreshers: readonly Refresher[];
  /** One line per output that ends in `Refresher` but is not a valid manifest. */
  readonly problems: readonly string[];
}

/** The region the client will call, for messages; a missing region is one readable line. */
async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return await client.config.region();
  } catch (error) {
    if (isMissingRegion(error)) throw new CliError(NO_REGION_MESSAGE, EXIT.aws);
    throw error;
  }
}

/** CloudFormation answers an unknown stack with a generic ValidationError; only its message tells. */
function isMissingStack(error: unknown): boolean {
  return (
    (error as { name?: string } | undefined)?.name === 'ValidationError' && /does not exist/.test(errorMessage(error))
  );
}

function parseManifest(output: Output): Refresher | string {
  const key = output.OutputKey ?? '';
  let json: unknown;
  try {
    json = JSON.parse(output.OutputValue ?? '');
  } catch {
    return `stack output "${key}" is not JSON`;
  }
  const parsed = refresherManifestSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return `stack output "${key}" is not a refresher manifest (${oneLine(issues)})`;
}

/**
 * Reads the stack's outputs and validates every refresher manifest in them. An invalid manifest
 * (a stack deployed by another version of this project) is reported, not fatal: the others still work.
 */
export async function readStackManifests(client: CloudFormationClient, stackName: string): Promise<StackManifests> {
  const region = await regionOf(client);
  let stack;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) throw missingStack(stackName, region);
    throw new AwsCallError('DescribeStacks', error);
  }
  if (!stack) throw missingStack(stackName, region);

  const refreshers: Refresher[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const output of stack.Outputs ?? []) {
    if (!output.OutputKey?.endsWith(MANIFEST_OUTPUT_SUFFIX)) continue;
    const manifest = parseManifest(output);
    if (typeof manifest === 'string') problems.push(manifest);
    else if (seen.has(manifest.provider))
      problems.push(`stack output "${output.OutputKey}" repeats provider "${manifest.provider}"; ignored`);
    else {
      seen.add(manifest.provider);
      refreshers.push(manifest);
    }
  }
  const stackStatus = stack.StackStatus ?? 'UNKNOWN';
  if (refreshers.length === 0 && problems.length === 0) {
    throw new CliError(
      `stack "${stackName}" in ${region} (${stackStatus}) has no refresher outputs (<Provider>${MANIFEST_OUTPUT_SUFFIX}): ` +
        'deploy this version of token-refresher with npx cdk deploy, or pass --stack',
      EXIT.aws,
    );
  }
  refreshers.sort((a, b) => a.provider.localeCompare(b.provider));
  return { stackName, region, stackStatus, refreshers, problems };
}

function missingStack(stackName: string, region: string): CliError {
  return new CliError(
    `stack "${stackName}" not found in ${region}: deploy it with npx cdk deploy, or pass --stack`,
    EXIT.aws,
  );
}

/** The manifest of `provider`, or a usage error that lists the providers the stack has. */
export function findProvider(stack: StackManifests, provider: string, command: string): Refresher {
  const found = stack.refreshers.find((r) => r.provider === provider);
  if (found) return found;
  const known = stack.refreshers.map((r) => r.provider).join(', ') || 'none';
  const invalid = stack.problems.length > 0 ? ` (${stack.problems.length} invalid refresher output(s) skipped)` : '';
  throw new UsageError(
    `unknown provider "${provider}" in stack "${stack.stackName}"; known: ${known}${invalid}`,
    command,
  );
}
