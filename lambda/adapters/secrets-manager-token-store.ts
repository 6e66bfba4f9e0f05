import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { checkPublishedToken, type PublishedToken, STORE_MAX_BYTES } from '../../contract/published-token.js';
import { FORCED_RUN_BUDGET, STORE_DISPLAY_NAME } from '../../contract/token-stores.js';
import { type Log, type PublishedTokenStore, TokenStoreNotOwnedError } from '../../core/ports.js';
import { errorNameOf } from '../../contract/error-name.js';
import { foreignSecretReasons, notOwnedMessage, type StageTokenSecret } from './token-secret-check.js';

/**
 * The published token in a Secrets Manager secret, addressed by name. The function creates it on its
 * first write (like the SSM parameter), so the token belongs to no stack and survives any regrouping.
 *
 * A secret it finds under that name instead, it checks before it writes anything into it
 * (lambda/adapters/token-secret-check.ts), once per container: at the container's first write. From
 * then on the container reads and writes that secret by its ARN, so a secret put in its place later
 * is never written to unchecked. A container that found a foreign secret checks again at each read,
 * so that its next runs fail before any grant is sent, and carry on once the secret is gone. Every
 * call runs under the one signal the core gives the store call.
 */
export class SecretsManagerTokenStore implements PublishedTokenStore {
  readonly kind = 'secretsmanager';
  readonly displayName = STORE_DISPLAY_NAME.secretsmanager;
  readonly maxBytes = STORE_MAX_BYTES.secretsmanager;
  readonly forcedRunBudget = FORCED_RUN_BUDGET.secretsmanager;
  /** The secret this container created, or checked and found to be the stage's. */
  private ownArn: string | undefined;
  /** This container found a secret that is not the stage's under the name. */
  private foundForeign = false;
  /** The secret the last read found under the name, by ARN. */
  private readArn: string | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly log: Log,
    /** The stage key (for a secret the function creates, and to recognise one it finds) and the legacy stack. */
    private readonly stage: StageTokenSecret = {},
  ) {}

  async read(signal?: AbortSignal): Promise<PublishedToken | undefined> {
    if (this.ownArn === undefined && this.foundForeign) await this.checkExisting(signal);
    let value: string | undefined;
    this.readArn = undefined;
    try {
      const command = new GetSecretValueCommand({ SecretId: this.ownArn ?? this.secretId });
      const answer = await this.client.send(command, { abortSignal: signal });
      value = answer.SecretString;
      this.readArn = answer.ARN;
    } catch (e) {
      // A secret created without a value answers ResourceNotFoundException until the first write.
      if (errorNameOf(e) === 'ResourceNotFoundException') return undefined;
      throw e;
    }
    return parsePublished(value, this.log);
  }

  /**
   * The secret just read, once it proved to be the stage's: what it holds is trusted only then. A
   * secret this container created or checked, or one an earlier run proved (by ARN, which a secret
   * deleted and created again under the name does not keep), costs no call; any other is checked.
   */
  async confirmOwnership(provedBefore: (arn: string) => boolean, signal?: AbortSignal): Promise<string | undefined> {
    const arn = this.readArn;
    if (arn === undefined) return undefined;
    if (arn === this.ownArn || provedBefore(arn)) {
      this.ownArn = arn;
      return arn;
    }
    return this.checkExisting(signal);
  }

  async write(token: PublishedToken, signal?: AbortSignal): Promise<void> {
    const value = JSON.stringify(token);
    const put = (arn: string) =>
      this.client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: value }), { abortSignal: signal });
    if (this.ownArn !== undefined) {
      try {
        await put(this.ownArn);
        return;
      } catch (e) {
        if (errorNameOf(e) !== 'ResourceNotFoundException') throw e;
        // Deleted since: whatever has the name now is created here or checked like any other.
        this.ownArn = undefined;
      }
    }
    // The container's first write: into the secret under the name once it proved to be the stage's,
    // else into a new one.
    const found = await this.checkExisting(signal);
    if (found !== undefined) {
      await put(found);
      return;
    }
    try {
      const create = new CreateSecretCommand({
        Name: this.secretId,
        SecretString: value,
        Description: 'OAuth access token published by token-refresher; read-only for consumers',
        ...(this.stage.keyArn ? { KmsKeyId: this.stage.keyArn } : {}),
      });
      this.ownArn = (await this.client.send(create, { abortSignal: signal })).ARN;
      return;
    } catch (e) {
      // Created meanwhile (by another run, or by someone else): check it before writing into it.
      if (errorNameOf(e) !== 'ResourceExistsException') throw e;
    }
    const created = await this.checkExisting(signal);
    if (created === undefined) {
      throw Object.assign(new Error('the token secret was deleted while it was being written'), {
        name: 'ResourceNotFoundException',
      });
    }
    await put(created);
  }

  /**
   * The ARN of the secret under the token's name once it proved to be the stage's, or undefined when
   * there is none. Throws TokenStoreNotOwnedError for a secret that is not the stage's.
   */
  private async checkExisting(signal?: AbortSignal): Promise<string | undefined> {
    let described;
    try {
      described = await this.client.send(new DescribeSecretCommand({ SecretId: this.secretId }), {
        abortSignal: signal,
      });
    } catch (e) {
      if (errorNameOf(e) !== 'ResourceNotFoundException') throw e;
      this.foundForeign = false;
      return undefined;
    }
    const arn = described.ARN;
    // The ARN pins the secret described: the policy read and every later call address exactly it.
    if (arn === undefined) throw Object.assign(new Error('DescribeSecret named no ARN'), { name: 'InvalidResponse' });
    const { ResourcePolicy } = await this.client.send(new GetResourcePolicyCommand({ SecretId: arn }), {
      abortSignal: signal,
    });
    const reasons = foreignSecretReasons(described, ResourcePolicy, this.stage);
    this.foundForeign = reasons.length > 0;
    if (this.foundForeign) throw new TokenStoreNotOwnedError(notOwnedMessage(this.secretId, arn, reasons));
    this.ownArn = arn;
    return arn;
  }
}

/**
 * A stored value that is not a published token is treated as absent, so the next write replaces it;
 * so is one whose `expires_at` lies further ahead than the refresher publishes (written by hand, in
 * milliseconds), which readers refuse and which would otherwise never be due.
 */
export function parsePublished(
  value: string | undefined,
  log: Log,
  nowSeconds = Math.floor(Date.now() / 1000),
): PublishedToken | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const checked = checkPublishedToken(JSON.parse(value), nowSeconds);
    if (checked.ok) return checked.value;
  } catch {
    // not JSON
  }
  log.warn('the published token store holds something that is not a published token; it will be replaced');
  return undefined;
}
