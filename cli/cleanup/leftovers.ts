import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeParametersCommand, type DescribeParametersCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import { providerResourceNames } from '../../contract/naming.js';
import { errorNameOf } from '../../contract/error-name.js';
import { awsCall } from '../common/aws-failure.js';
import { CliError } from '../common/errors.js';
import { EXIT } from '../exit-codes.js';

/**
 * What a removed provider leaves behind: the names the function wrote (token, state, ledger), which
 * belong to no stack, and the credentials secret, which its stack retains. Every name comes from
 * contract/naming.ts, as the construct builds it, and is looked up by its exact name: never by a
 * prefix or a pattern, which would also match another provider whose id starts the same (`ab`, `ab-1`).
 * Only metadata is read (DescribeParameters, DescribeSecret): never a value.
 */

export type LeftoverKind = 'token' | 'state' | 'ledger' | 'credentials';

export interface Leftover {
  readonly kind: LeftoverKind;
  readonly service: 'ssm' | 'secretsmanager';
  readonly name: string;
  /** Whether it exists now; a secret already scheduled for deletion does not count. */
  readonly exists: boolean;
  /** A secret's ARN, which DeleteSecret is given so that it cannot pick another secret by partial ARN. */
  readonly arn?: string;
  /** When a secret already scheduled for deletion goes for good (ISO 8601). */
  readonly deletionDate?: string;
}

export interface ProviderLeftovers {
  /** Every name the provider may have left, whether it exists or not, credentials last. */
  readonly leftovers: readonly Leftover[];
  /** The construct's manifest parameter exists: the provider is still deployed. */
  readonly manifestParameter?: string;
}

/** The names one provider of one prefix may leave behind; the credentials secret only when asked for. */
export function leftoverNames(prefix: string, providerId: string, includeCredentials: boolean) {
  const names = providerResourceNames(prefix, providerId);
  const parameters = [
    { kind: 'token', name: names.tokenParameterName },
    { kind: 'state', name: names.stateParameterName },
    { kind: 'ledger', name: names.ledgerParameterName },
  ] as const;
  const secrets = [
    { kind: 'token', name: names.tokenSecretName },
    ...(includeCredentials ? [{ kind: 'credentials', name: names.credentialsSecretName } as const] : []),
  ] as const;
  return { parameters, secrets, manifest: names.manifestParameterName, names };
}

/**
 * DescribeParameters may answer a filtered query a page at a time, with fewer than MaxResults and a
 * NextToken, however few names match: 200 pages of 50 cover 10,000 parameters, ten of the largest stages.
 */
const MAX_PAGES = 200;

/** Which of the parameters exist: DescribeParameters answers names and types, never values. */
async function existingParameters(client: SSMClient, names: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: DescribeParametersCommandOutput = await awsCall(client, 'DescribeParameters', () =>
      client.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [...names] }],
          MaxResults: 50,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    // Equals already matches whole names; the check keeps it so whatever the service answers.
    for (const p of answer.Parameters ?? []) if (p.Name && names.includes(p.Name)) found.add(p.Name);
    nextToken = answer.NextToken;
    if (nextToken === undefined || found.size === names.length) return found;
  }
  throw new CliError(
    `Parameter Store answered more than ${MAX_PAGES} pages for ${names.length} names: cannot tell which exist`,
    EXIT.aws,
    'too_many_pages',
  );
}

/** A secret's metadata; undefined when there is none of that exact name. */
async function describeSecret(client: SecretsManagerClient, name: string) {
  try {
    const answer = await awsCall(client, 'DescribeSecret', () =>
      client.send(new DescribeSecretCommand({ SecretId: name })),
    );
    // A SecretId that ends like `-AbCdEf` can match another secret as a partial ARN: only the exact name counts.
    return answer.Name === name ? answer : undefined;
  } catch (error) {
    if (errorNameOf((error as { cause?: unknown }).cause) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function findLeftovers(
  clients: { readonly ssm: SSMClient; readonly secretsManager: SecretsManagerClient },
  prefix: string,
  providerId: string,
  includeCredentials: boolean,
): Promise<ProviderLeftovers> {
  const { parameters, secrets, manifest } = leftoverNames(prefix, providerId, includeCredentials);
  const existing = await existingParameters(clients.ssm, [manifest, ...parameters.map((p) => p.name)]);
  const leftovers: Leftover[] = parameters.map((p) => ({ ...p, service: 'ssm', exists: existing.has(p.name) }));
  for (const secret of secrets) {
    const found = await describeSecret(clients.secretsManager, secret.name);
    const deletionDate = found?.DeletedDate?.toISOString();
    leftovers.push({
      ...secret,
      service: 'secretsmanager',
      exists: found !== undefined && deletionDate === undefined,
      ...(found?.ARN === undefined ? {} : { arn: found.ARN }),
      ...(deletionDate === undefined ? {} : { deletionDate }),
    });
  }
  return { leftovers, ...(existing.has(manifest) ? { manifestParameter: manifest } : {}) };
}
