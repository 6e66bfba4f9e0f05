import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { prefixNamePatterns } from '../../contract/naming.js';

/**
 * The stack's customer-managed key for the published tokens, the refresh tokens of the private state
 * (its ledger, which holds no secret, is a String parameter) and the credentials secrets the stack
 * creates, and who may use it for what. Its policy does not hand the key to the
 * account as a whole (AWS-managed keys do): an administrator or a broad read-only role that can read
 * a parameter or a secret still cannot decrypt the state or the credentials. The policy's size does
 * not grow with the number of providers:
 *
 * - the account administers the key, but may not use it;
 * - roles under the IAM path `/<prefix>/` (the refresher functions' roles) may use it through SSM and
 *   Secrets Manager; each role's own IAM policy narrows that to its own provider's names
 *   (`refresherKeyStatements`), so each refresher decrypts only its own state, token and credentials;
 * - any principal the account allows (consumers' roles, through `grantRead`) may decrypt published
 *   tokens, and nothing else;
 * - any principal the account allows (operators) may encrypt credentials, to put a new value, but
 *   not decrypt them;
 * - any principal the account allows (operators, through `ssm:PutParameter` on it) may encrypt a
 *   state SecureString through SSM, so that `token-refresher connect` writes a person's refresh
 *   token (cli/connect/command.ts), but not decrypt it: connect never reads the old one.
 */

const KEY_ID = 'TokenRefresherKey';

/**
 * What the account may do with a key of this project through IAM: administer it (the signing keys
 * too, lib/private/signing-key.ts), never use it. `kms:Get*` includes `GetPublicKey`.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
] as const;
/** Prefixes whose statements a key already has, so that many refreshers add them once. */
const prefixesOf = new WeakMap<kms.Key, Set<string>>();

/** How a refresher's props choose its key (see `ProviderTokenRefresherProps`). */
export interface KeyChoice {
  readonly encryptionKey?: kms.IKey;
  readonly awsManagedKeys?: boolean;
}

/**
 * The key of one refresher: the one given, none (the AWS-managed keys), or the key of the stack that
 * holds `keyScope` (where a created credentials secret lives).
 * @throws Error naming `scope`'s path when both a key and the AWS-managed keys are asked for
 */
export function refresherKey(
  scope: Construct,
  choice: KeyChoice,
  keyScope: Construct,
  prefix: string,
): kms.IKey | undefined {
  if (choice.awsManagedKeys && choice.encryptionKey) {
    throw new Error(`${scope.node.path}: give either "encryptionKey" or "awsManagedKeys", not both`);
  }
  return choice.awsManagedKeys ? undefined : (choice.encryptionKey ?? stackKey(keyScope, prefix));
}

/** The stack's key, created by the first refresher that needs it. */
export function stackKey(scope: Construct, prefix: string): kms.Key {
  const stack = Stack.of(scope);
  let key = stack.node.tryFindChild(KEY_ID) as kms.Key | undefined;
  if (!key) {
    key = new kms.Key(stack, KEY_ID, {
      description: 'token-refresher: published tokens, private state and created credentials secrets',
      enableKeyRotation: true,
      // Overrides the default policy, which would hand every use of the key to the account.
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButDoesNotUse',
            principals: [new iam.AccountRootPrincipal()],
            actions: [...KEY_ADMINISTRATION_ACTIONS],
            resources: ['*'],
          }),
        ],
      }),
    });
  }
  addPrefixStatements(key, prefix);
  return key;
}

function addPrefixStatements(key: kms.Key, prefix: string): void {
  const prefixes = prefixesOf.get(key) ?? new Set<string>();
  prefixesOf.set(key, prefixes);
  if (prefixes.has(prefix)) return;
  prefixes.add(prefix);
  const stack = Stack.of(key);
  const account = new iam.AccountRootPrincipal();
  const via = (service: string) => `${service}.${stack.region}.amazonaws.com`;
  const patterns = prefixNamePatterns(prefix);
  const sid = (name: string) => `${name}${prefix.replace(/[^A-Za-z0-9]/g, '')}`;
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: sid('RefreshersUseThroughTheirStores'),
      principals: [account],
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'aws:PrincipalArn': stack.formatArn({
            service: 'iam',
            region: '',
            resource: 'role',
            resourceName: patterns.roles,
          }),
        },
        StringEquals: { 'kms:ViaService': [via('ssm'), via('secretsmanager')] },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: sid('ConsumersDecryptTokenParameters'),
      principals: [account],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': via('ssm') },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': parameterArnPattern(stack, patterns.tokenParameters) },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: sid('ConsumersDecryptTokenSecrets'),
      principals: [account],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': via('secretsmanager') },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArnPattern(stack, patterns.tokenSecrets) },
      },
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: sid('OperatorsWriteCredentials'),
      principals: [account],
      actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': via('secretsmanager') },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArnPattern(stack, patterns.credentialsSecrets) },
      },
    }),
  );
  // `GenerateDataKey*`: SSM encrypts an advanced-tier parameter (Intelligent-Tiering may move one
  // there, lambda/adapters/secure-string.ts) with a data key rather than with Encrypt.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: sid('OperatorsConnectState'),
      principals: [account],
      actions: ['kms:Encrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'kms:ViaService': via('ssm') },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': parameterArnPattern(stack, patterns.stateParameters) },
      },
    }),
  );
}

function parameterArnPattern(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name });
}

function secretArnPattern(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * What one refresher's role may do with `key`: use it through SSM for its own parameters and
 * through Secrets Manager for its own secrets, named `<prefix>/<provider id>/...`, and nothing else.
 */
export function refresherKeyStatements(
  scope: Construct,
  key: kms.IKey,
  prefix: string,
  providerId: string,
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const own = prefixNamePatterns(prefix).provider(providerId);
  const use = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];
  return [
    new iam.PolicyStatement({
      actions: use,
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': parameterArnPattern(stack, own) },
      },
    }),
    new iam.PolicyStatement({
      actions: use,
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArnPattern(stack, own) },
      },
    }),
  ];
}
