import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The AWS clients the stack commands use, all for one region and one profile. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly cloudWatch: CloudWatchClient;
  readonly kms: KMSClient;
  readonly lambda: LambdaClient;
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
}

/** `--region` and `--profile`; undefined leaves the choice to the SDK's default chain. */
export interface AwsTarget {
  readonly region?: string;
  readonly profile?: string;
}

export type AwsClientFactory = (target: AwsTarget) => AwsClients;

/**
 * Clients on the SDK's standard credential chain and region resolution. `--profile` selects the
 * profile for credentials and region alike (the SDK's `profile` setting, which wins over AWS_PROFILE);
 * `--region` overrides only the region. Nothing is resolved here: a missing profile shows up on the
 * first call, as one line.
 */
export const createAwsClients: AwsClientFactory = ({ region, profile }) => {
  const config = { ...(region === undefined ? {} : { region }), ...(profile === undefined ? {} : { profile }) };
  return {
    cloudFormation: new CloudFormationClient(config),
    cloudWatch: new CloudWatchClient(config),
    kms: new KMSClient(config),
    lambda: new LambdaClient(config),
    secretsManager: new SecretsManagerClient(config),
    ssm: new SSMClient(config),
  };
};

/** Lets the process exit at once instead of waiting for idle keep-alive sockets. */
export function destroyAwsClients(clients: AwsClients): void {
  clients.cloudFormation.destroy();
  clients.cloudWatch.destroy();
  clients.kms.destroy();
  clients.lambda.destroy();
  clients.secretsManager.destroy();
  clients.ssm.destroy();
}
