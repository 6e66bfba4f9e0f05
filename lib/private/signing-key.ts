import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type KmsSigningKey, kmsSigningScheme } from '../../contract/signing-key.js';
import type { ProviderResourceNames } from '../../contract/naming.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';
import { KEY_ADMINISTRATION_ACTIONS } from './refresher-key.js';
import { rolesUnderPath } from './refresher-role.js';

/** A provider's KMS signing key and what its refresher may do with it. */
export interface RefresherSigningKey {
  readonly key: kms.IKey;
  /** The function's runtime configuration of it (contract/signing-key.ts). */
  readonly runtime: KmsSigningKey;
  /** The refresher role's only permission on it: `kms:Sign`, as the function signs. */
  readonly signStatement: iam.PolicyStatement;
}

/**
 * The KMS key that signs the provider's assertions: created for it, or the one the providers file
 * names; none when the provider signs with a private key from its credentials secret, or not at all.
 *
 * Only the provider's refresher may sign, and only the way the function signs (the configured
 * algorithm over a digest it computed): its role's IAM statement names the one key, and a created
 * key's policy admits `kms:Sign` only for roles under the refresher's IAM path. The account
 * administers a created key (so `kms:GetPublicKey` and `kms:DescribeKey` for operators go through
 * IAM) but cannot sign with it. A created key is retained when the stack is deleted or the provider
 * removed: the IdP holds its public key, and a new key would need registering again.
 */
export function refresherSigningKey(
  scope: Construct,
  provider: ResolvedProvider,
  names: ProviderResourceNames,
  /** Where a created key lives (`<keyScope>/SigningKey`), beside the credentials secret it goes with. */
  keyScope: Construct,
): RefresherSigningKey | undefined {
  const choice = provider.signingKey;
  if (choice === undefined || choice.source === 'credentials') return undefined;
  const scheme = kmsSigningScheme(choice.key.keySpec, choice.key.alg);
  const signs = {
    StringEquals: { 'kms:SigningAlgorithm': scheme.signingAlgorithm, 'kms:MessageType': 'DIGEST' },
  };
  let key: kms.IKey;
  if (choice.source === 'existing') {
    key = kms.Key.fromKeyArn(scope, 'SigningKey', choice.key.keyArn);
  } else {
    key = new kms.Key(keyScope, 'SigningKey', {
      description: `token-refresher: signs the assertions of provider "${provider.settings.id}"`,
      keySpec: kms.KeySpec[choice.key.keySpec],
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      alias: names.signingKeyAlias,
      removalPolicy: RemovalPolicy.RETAIN,
      // Overrides the default policy, which would let any principal the account allows sign.
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'AccountAdministersButDoesNotSign',
            principals: [new iam.AccountRootPrincipal()],
            actions: [...KEY_ADMINISTRATION_ACTIONS],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            sid: 'OnlyTheRefresherSigns',
            principals: [new iam.AccountRootPrincipal()],
            actions: ['kms:Sign'],
            resources: ['*'],
            // By IAM path, not by reference: the key may live in another stack than the role.
            conditions: { ArnLike: { 'aws:PrincipalArn': rolesUnderPath(scope, names.rolePath) }, ...signs },
          }),
        ],
      }),
    });
  }
  return {
    key,
    runtime: { keyArn: key.keyArn, ...choice.key },
    signStatement: new iam.PolicyStatement({ actions: ['kms:Sign'], resources: [key.keyArn], conditions: signs }),
  };
}
