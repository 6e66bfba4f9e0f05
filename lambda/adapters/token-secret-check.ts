import type { DescribeSecretResponse } from '@aws-sdk/client-secrets-manager';
import { RUNBOOK_ANCHOR, TOKEN_SECRET_NOT_OWNED } from '../../contract/failure.js';

/**
 * Whether a secret found under the published token's name is the stage's own. The name is fixed
 * (contract/naming.ts), so anyone who may create secrets can create it first, with a key or a
 * resource policy of their own, and read every token the function puts into it. The stage's own
 * secret is one of:
 *
 * - encrypted with the stage key (the key the function creates it with; with `awsManagedKeys`, the
 *   AWS-managed `aws/secretsmanager`), named by its ARN or its key id, never by an alias someone
 *   could point elsewhere;
 * - or the secret the stack itself created before the function did (0.1.0, lib/private/empty-secret.ts):
 *   CloudFormation tagged it `aws:cloudformation:stack-id` with the id of that stack, which lives on
 *   as the stage's shared stack (a tag with the `aws:` prefix no one else can set), and it is
 *   encrypted with the AWS-managed key, as 0.1.0 created it by default;
 *
 * and in either case with no resource policy statement that allows anything (the stack writes none;
 * a statement that only denies takes access away and stays), and no replica in another region.
 */
export interface StageTokenSecret {
  /** The stage key's ARN; absent: the stage uses the AWS-managed keys. */
  readonly keyArn?: string;
  /** The id of the stack whose CloudFormation-created secret under this name is the stage's (0.1.0). */
  readonly legacyStackId?: string;
}

/** What DescribeSecret tells about a secret: the parts the rule looks at. */
export type DescribedSecret = Pick<DescribeSecretResponse, 'ARN' | 'KmsKeyId' | 'Tags' | 'ReplicationStatus'>;

const STACK_ID_TAG = 'aws:cloudformation:stack-id';
/** DescribeSecret omits the key for `aws/secretsmanager`; a secret created naming the alias may show it. */
const AWS_MANAGED_KEY = /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/secretsmanager$/;
/** Secrets Manager's limit on a resource policy; anything longer did not come from it. */
const MAX_POLICY_CHARS = 20_480;
/** Values quoted in a message come from AWS, but someone else chose them: keep the message short. */
const MAX_QUOTED_CHARS = 200;

const quote = (value: string) => JSON.stringify(value.slice(0, MAX_QUOTED_CHARS));
const isAwsManaged = (keyId: string | undefined) => keyId === undefined || AWS_MANAGED_KEY.test(keyId);

function isStageKey(keyId: string | undefined, stage: StageTokenSecret): boolean {
  if (stage.keyArn === undefined) return isAwsManaged(keyId);
  if (keyId === undefined) return false;
  if (keyId === stage.keyArn) return true;
  // A bare key id names a key in the secret's own account and region, where the stage key is.
  return /^[A-Za-z0-9-]{1,128}$/.test(keyId) && stage.keyArn.endsWith(`:key/${keyId}`);
}

function keyProblem(described: DescribedSecret, stage: StageTokenSecret): string | undefined {
  const { KmsKeyId: keyId } = described;
  if (isStageKey(keyId, stage)) return undefined;
  const createdBy = described.Tags?.find((t) => t.Key === STACK_ID_TAG)?.Value;
  const legacy = stage.legacyStackId !== undefined && createdBy === stage.legacyStackId;
  if (legacy && isAwsManaged(keyId)) return undefined;
  const stageKey =
    stage.keyArn === undefined ? 'the AWS-managed key aws/secretsmanager' : `the stage key ${quote(stage.keyArn)}`;
  const actual = keyId === undefined ? 'the AWS-managed key aws/secretsmanager' : `KMS key ${quote(keyId)}`;
  return `it is encrypted with ${actual}, not ${stageKey}`;
}

function policyProblem(policy: string | undefined): string | undefined {
  if (policy === undefined || policy.trim() === '') return undefined;
  if (policy.length > MAX_POLICY_CHARS) return 'its resource policy is longer than Secrets Manager allows';
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    return 'its resource policy is not JSON';
  }
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  const statements: unknown[] = Array.isArray(statement) ? statement : [statement];
  const allowing = statements.filter((s) => (s as { Effect?: unknown } | null)?.Effect !== 'Deny').length;
  if (allowing === 0) return undefined;
  return `its resource policy has ${allowing} statement${allowing === 1 ? '' : 's'} that allow access (the stage writes none)`;
}

function replicaProblem(described: DescribedSecret): string | undefined {
  const regions = (described.ReplicationStatus ?? []).map((r) => r.Region ?? '?');
  if (regions.length === 0) return undefined;
  return `it is replicated to ${regions.slice(0, 3).map(quote).join(', ')}${regions.length > 3 ? ` and ${regions.length - 3} more regions` : ''}`;
}

/** Why the secret is not the stage's own, one reason per finding; empty when it is. */
export function foreignSecretReasons(
  described: DescribedSecret,
  resourcePolicy: string | undefined,
  stage: StageTokenSecret,
): string[] {
  return [keyProblem(described, stage), policyProblem(resourcePolicy), replicaProblem(described)].filter(
    (reason): reason is string => reason !== undefined,
  );
}

/** The failure's description: which secret, why, and what to do. Names and ARNs only, never a value. */
export function notOwnedMessage(secretName: string, arn: string, reasons: readonly string[]): string {
  return (
    `token secret "${secretName}" (${arn}) is not this stage's: ${reasons.join('; ')}. Nothing was written to ` +
    'it: whoever controls its key or policy could read every token. Find out who created or changed it ' +
    `(CloudTrail), then delete it (aws secretsmanager delete-secret --secret-id ${arn} ` +
    "--force-delete-without-recovery) so that the next run creates the stage's own, or make it the " +
    `stage's; see docs/runbook.md#${RUNBOOK_ANCHOR[TOKEN_SECRET_NOT_OWNED]}`
  );
}
