import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { constructIdFor } from './private/naming';
import { ProviderTokenRefresher } from './provider-token-refresher';
import type { ResolvedProvider } from './schema/providers-file';

export interface TokenRefresherStackProps extends StackProps {
  /** The providers to keep tokens fresh for, as returned by `parseProvidersFile`. */
  readonly providers: readonly ResolvedProvider[];

  /**
   * First segment of every secret and parameter name; see `ProviderTokenRefresherProps.namePrefix`.
   * @default 'token-refresher'
   */
  readonly namePrefix?: string;

  /**
   * Entry file of the refresher function; see `ProviderTokenRefresherProps.functionEntry`.
   * @default - `lambda/index.ts` of this project
   */
  readonly functionEntry?: string;
}

/**
 * One `ProviderTokenRefresher` per provider, plus outputs that tell operators where to put the
 * credentials and consumers where to read the token. Composition only: no resource details here.
 */
export class TokenRefresherStack extends Stack {
  /** The refresher of each provider, by provider id. */
  public readonly refreshers: ReadonlyMap<string, ProviderTokenRefresher>;

  constructor(scope: Construct, id: string, props: TokenRefresherStackProps) {
    super(scope, id, props);
    const refreshers = new Map<string, ProviderTokenRefresher>();
    const usedIds = new Map<string, string>();

    for (const provider of props.providers) {
      const providerId = provider.settings.id;
      const constructId = constructIdFor(providerId);
      const clash = usedIds.get(constructId);
      if (clash !== undefined) {
        throw new Error(
          `${this.node.path}: providers "${clash}" and "${providerId}" both map to construct id "${constructId}"; rename one of them`,
        );
      }
      usedIds.set(constructId, providerId);

      const refresher = new ProviderTokenRefresher(this, constructId, {
        provider,
        namePrefix: props.namePrefix,
        functionEntry: props.functionEntry,
      });
      refreshers.set(providerId, refresher);

      new CfnOutput(this, `${constructId}TokenSource`, {
        description: `Where consumers read the token of provider "${providerId}" (grant them read access with grantRead)`,
        value: refresher.tokenSource,
      });
      new CfnOutput(this, `${constructId}CredentialsSecret`, {
        description: provider.credentials
          ? `Credentials secret of provider "${providerId}" (imported)`
          : `Credentials secret of provider "${providerId}": created empty, put the provider credentials in it as JSON (see its description)`,
        value: refresher.credentialsSecretId,
      });
      new CfnOutput(this, `${constructId}Function`, {
        description: `Refresher function of provider "${providerId}" (invoke with {"force": true} to refresh now)`,
        value: refresher.refreshFunction.functionName,
      });
    }
    this.refreshers = refreshers;
  }
}
