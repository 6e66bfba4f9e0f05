import {
  DescribeParametersCommand,
  type DescribeParametersCommandOutput,
  GetParametersCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { MANIFEST_PARAMETER_LEAF } from '../../contract/naming.js';
import { EXIT } from '../exit-codes.js';
import { awsCall } from './aws-failure.js';
import { CliError } from './errors.js';
import { parseManifest, type Refresher, type StackManifests } from './stack-manifest.js';

/**
 * The refreshers whose manifest parameters (`/<prefix>/<id>/manifest`, lib/private/manifest-parameter.ts)
 * carry a tag: the stage tag for a stage, the stack tag for one stack. Every `ProviderTokenRefresher`
 * writes one in whatever stack it is, so this finds refreshers that no stack output lists.
 *
 * IAM: ssm:DescribeParameters (which takes no resource) and ssm:GetParameters on the manifests
 * (`parameter/<prefix>/*\/manifest`). Neither returns a SecureString's value: only names and the
 * String manifests are read.
 */

/** DescribeParameters answers at most 50 a page; 200 pages are 10,000 parameters, ten stages of the largest. */
const MAX_PAGES = 200;
/** GetParameters takes at most 10 names a call. */
const NAMES_PER_CALL = 10;

export interface TaggedManifests {
  /** Valid manifests grouped by the stack each names (one group per stack, in the order found). */
  readonly stacks: readonly StackManifests[];
  /** One line per parameter that is not a valid manifest, or that disappeared between the calls. */
  readonly problems: readonly string[];
}

const isManifestName = (name: string) => name.endsWith(`/${MANIFEST_PARAMETER_LEAF}`);

async function manifestNames(client: SSMClient, tagKey: string, tagValue: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: DescribeParametersCommandOutput | undefined = await awsCall(client, 'DescribeParameters', () =>
      client.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: `tag:${tagKey}`, Option: 'Equals', Values: [tagValue] }],
          MaxResults: 50,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    names.push(...(answer?.Parameters ?? []).flatMap((p) => (p.Name && isManifestName(p.Name) ? [p.Name] : [])));
    nextToken = answer?.NextToken;
    if (nextToken === undefined) return names;
  }
  throw new CliError(
    `more than ${MAX_PAGES * 50} parameters are tagged ${tagKey}=${tagValue}: read one stack with --stack`,
    EXIT.aws,
    'too_many_parameters',
  );
}

/** The manifests of every parameter tagged `tagKey=tagValue`. */
export async function readTaggedManifests(
  client: SSMClient,
  tagKey: string,
  tagValue: string,
): Promise<TaggedManifests> {
  const names = await manifestNames(client, tagKey, tagValue);
  const byStack = new Map<string, Refresher[]>();
  const problems: string[] = [];
  for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
    const batch = names.slice(start, start + NAMES_PER_CALL);
    const answer = await awsCall(client, 'GetParameters', () =>
      client.send(new GetParametersCommand({ Names: batch })),
    );
    for (const parameter of answer?.Parameters ?? []) {
      const name = parameter.Name ?? '';
      const parsed = parseManifest(`parameter "${name}"`, parameter.Value ?? '');
      if (!parsed.ok) {
        problems.push(parsed.error);
        continue;
      }
      const stackName = parsed.value.stack ?? `parameter ${name}`;
      byStack.set(stackName, [...(byStack.get(stackName) ?? []), { ...parsed.value, stackName }]);
    }
    for (const missing of answer?.InvalidParameters ?? []) {
      problems.push(`parameter "${missing}" was deleted while it was read; run the command again`);
    }
  }
  const stacks = [...byStack].map(([stackName, refreshers]) => ({
    stackName,
    stackStatus: 'manifest parameter',
    refreshers,
    problems: [],
  }));
  return { stacks, problems };
}
