import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errorNameOf } from '../../contract/error-name.js';

/**
 * One String parameter: no KMS request to read or write it, so it only ever holds what is no secret
 * (the private state's ledger, contract/private-state.ts). Standard-tier parameters cost nothing to
 * keep, read or write.
 */
export class StringParameter {
  constructor(
    private readonly client: SSMClient,
    readonly name: string,
  ) {}

  /** The value, or undefined while the parameter does not exist. */
  async get(signal?: AbortSignal): Promise<string | undefined> {
    try {
      const answer = await this.client.send(new GetParameterCommand({ Name: this.name }), { abortSignal: signal });
      return answer.Parameter?.Value;
    } catch (e) {
      if (errorNameOf(e) === 'ParameterNotFound') return undefined;
      throw e;
    }
  }

  async put(value: string, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new PutParameterCommand({
        Name: this.name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        Tier: 'Intelligent-Tiering',
      }),
      { abortSignal: signal },
    );
  }
}
