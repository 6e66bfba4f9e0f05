import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { errorNameOf } from '../../contract/error-name.js';

/**
 * One SecureString parameter (the published token, the private state), read by version. Every read
 * first asks for the parameter without decryption, which costs no KMS request, and decrypts only
 * when the version differs from the one this container last read or wrote. A warm function that
 * was the last to write (reserved concurrency 1 makes that the rule) therefore pays KMS only for
 * its writes, and a container that another one overtook still reads what is stored now.
 */
export class SecureString {
  /** What this container last read or wrote; `modifiedMs` is unknown right after a write. */
  private known: { version: number; modifiedMs?: number; value: string } | undefined;

  constructor(
    private readonly client: SSMClient,
    readonly name: string,
    /** Customer-managed key for the parameter; absent: the account's `aws/ssm`. */
    private readonly keyId?: string,
  ) {}

  /** The value, or undefined while the parameter does not exist (CloudFormation cannot create SecureStrings). */
  async get(signal?: AbortSignal): Promise<string | undefined> {
    const current = await this.fetch(false, signal);
    if (current === undefined) {
      this.known = undefined;
      return undefined;
    }
    const { known } = this;
    const modifiedMs = current.LastModifiedDate?.getTime();
    // A deleted and recreated parameter starts its versions again: the date tells them apart.
    if (known && current.Version === known.version && (known.modifiedMs ?? modifiedMs) === modifiedMs) {
      known.modifiedMs = modifiedMs;
      return known.value;
    }
    const full = await this.fetch(true, signal);
    if (full?.Value === undefined) return undefined;
    this.known =
      full.Version === undefined
        ? undefined
        : { version: full.Version, modifiedMs: full.LastModifiedDate?.getTime(), value: full.Value };
    return full.Value;
  }

  /** Whether the parameter exists: asked without decryption, so it costs no KMS request and needs no kms:Decrypt. */
  async exists(signal?: AbortSignal): Promise<boolean> {
    return (await this.fetch(false, signal)) !== undefined;
  }

  /** Creates or overwrites the parameter, with `keyId` or else the account's default `aws/ssm` key. */
  async put(value: string, signal?: AbortSignal): Promise<void> {
    this.known = undefined;
    const answer = await this.client.send(
      new PutParameterCommand({
        Name: this.name,
        Value: value,
        Type: 'SecureString',
        Overwrite: true,
        Tier: 'Intelligent-Tiering',
        ...(this.keyId ? { KeyId: this.keyId } : {}),
      }),
      { abortSignal: signal },
    );
    if (answer.Version !== undefined) this.known = { version: answer.Version, value };
  }

  private async fetch(withDecryption: boolean, signal: AbortSignal | undefined) {
    try {
      const command = new GetParameterCommand({ Name: this.name, WithDecryption: withDecryption });
      return (await this.client.send(command, { abortSignal: signal })).Parameter;
    } catch (e) {
      if (errorNameOf(e) === 'ParameterNotFound') return undefined;
      throw e;
    }
  }
}
