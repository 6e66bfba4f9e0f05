import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { type LambdaClient, ListFunctionsCommand, type ListFunctionsCommandOutput } from '@aws-sdk/client-lambda';
import { awsCall } from '../common/aws-failure.js';
import { CliError } from '../common/errors.js';
import { manifestsOfStack } from '../common/stack-manifest.js';
import { EXIT } from '../exit-codes.js';

/**
 * Where a provider is still deployed, besides its manifest parameter (cli/cleanup/leftovers.ts finds
 * that): a function whose role is under the provider's IAM path (`/<prefix>/<id>/`, the path the
 * construct gives its role, lib/private/refresher-role.ts), and a stack output whose manifest names
 * the provider's state parameter. Both are matched exactly, so provider `ab` is never taken for `ab-1`,
 * nor the same id in another stage (another prefix). Every stack but DELETE_COMPLETE counts, in
 * progress or not: a stack being created or rolled back may still own the names.
 */

/** DescribeStacks answers 100 a page, ListFunctions 50: 100 pages are 10,000 stacks and 5,000 functions. */
const MAX_PAGES = 100;

function tooMany(what: string): CliError {
  return new CliError(
    `more than ${MAX_PAGES} pages of ${what} in the region: cannot confirm that the provider is no longer deployed`,
    EXIT.aws,
    'too_many_resources',
  );
}

/** Names of functions whose execution role is under `rolePath` (`/<prefix>/<id>/`). */
export async function functionsUnderRolePath(client: LambdaClient, rolePath: string): Promise<string[]> {
  const found: string[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: ListFunctionsCommandOutput = await awsCall(client, 'ListFunctions', () =>
      client.send(new ListFunctionsCommand({ MaxItems: 50, ...(marker === undefined ? {} : { Marker: marker }) })),
    );
    for (const fn of answer.Functions ?? []) {
      // arn:aws:iam::<account>:role<path><name>: the path is what lies between `:role` and the last `/`.
      const role = fn.Role ?? '';
      const at = role.indexOf(':role/');
      if (at !== -1 && role.slice(at + ':role'.length, role.lastIndexOf('/') + 1) === rolePath) {
        found.push(fn.FunctionName ?? role);
      }
    }
    marker = answer.NextMarker;
    if (marker === undefined) return found;
  }
  throw tooMany('functions');
}

/** Names of stacks whose refresher outputs name `stateParameterName`. */
export async function stacksNamingState(client: CloudFormationClient, stateParameterName: string): Promise<string[]> {
  const found: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await awsCall(client, 'DescribeStacks', () =>
      client.send(new DescribeStacksCommand(nextToken === undefined ? {} : { NextToken: nextToken })),
    );
    for (const stack of answer.Stacks ?? []) {
      if (names(stack, stateParameterName)) found.push(stack.StackName ?? '');
    }
    nextToken = answer.NextToken;
    if (nextToken === undefined) return found;
  }
  throw tooMany('stacks');
}

function names(stack: Stack, stateParameterName: string): boolean {
  if (stack.StackStatus === 'DELETE_COMPLETE') return false;
  return manifestsOfStack(stack).refreshers.some((r) => r.stateParameter === stateParameterName);
}
