import * as z from 'zod/mini';
import {
  DEFAULT_KMS_SIGNING_KEY_SPEC,
  KMS_JOSE_ALGORITHMS,
  KMS_KEY_ARN_PATTERN,
  KMS_SIGNING_KEY_SPECS,
  type KmsSigningKey,
  kmsSigningKeySchema,
  signingAlgorithmProblem,
} from '../contract/signing-key.js';

/**
 * Where a provider's signing key lives, as the providers file says it (`signingKey`):
 * - `"kms"` or `{"kms": "create", "keySpec": ...}`: the stack creates a KMS asymmetric key for the
 *   provider (RSA_2048 unless `keySpec` says otherwise) and keeps it when the stack is deleted;
 * - `{"kmsKeyArn": "arn:aws:kms:..."}`: an existing KMS key, whose `keySpec` must be given when it is
 *   not RSA_2048;
 * - `"credentials"`: a private key in the provider's credentials secret (no KMS key).
 */

const thumbprint = kmsSigningKeySchema.shape.certificateThumbprint;

const kmsKeyObjectSchema = z
  .strictObject({
    kms: z.optional(z.literal('create', 'must be "create": the stack creates the key; or give "kmsKeyArn" instead')),
    kmsKeyArn: z.optional(
      z
        .string()
        .check(
          z.regex(
            KMS_KEY_ARN_PATTERN,
            'must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias: the lockout guard keys on the key)',
          ),
        ),
    ),
    keySpec: z.optional(z.enum(KMS_SIGNING_KEY_SPECS)),
    alg: z.optional(z.enum(KMS_JOSE_ALGORITHMS)),
    certificateThumbprint: thumbprint,
  })
  .check(
    z.superRefine((value, ctx) => {
      if ((value.kms === undefined) === (value.kmsKeyArn === undefined)) {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message:
            'give either "kms": "create" (the stack creates the key) or "kmsKeyArn" (an existing key), one of them',
        });
      }
      const problem =
        value.alg === undefined
          ? undefined
          : signingAlgorithmProblem(value.keySpec ?? DEFAULT_KMS_SIGNING_KEY_SPEC, value.alg);
      if (problem) ctx.addIssue({ code: 'custom', input: value.alg, path: ['alg'], message: problem });
    }),
  );

export const signingKeyRefSchema = z.union([z.enum(['kms', 'credentials']), kmsKeyObjectSchema], {
  error:
    'must be "kms" (the stack creates a KMS key), {"kms": "create", "keySpec": "ECC_NIST_P256"}, ' +
    '{"kmsKeyArn": "arn:aws:kms:..."} (an existing KMS key) or "credentials" (a private key in the credentials ' +
    `secret); "keySpec" is one of ${KMS_SIGNING_KEY_SPECS.join(', ')}`,
});

export type SigningKeyRef = z.infer<typeof signingKeyRefSchema>;

/** The fields of `signingKey`'s object form, for the providers file's messages. */
export const SIGNING_KEY_FIELDS = Object.keys(kmsKeyObjectSchema.shape);

/** A provider's signing key after the defaults are applied. */
export type SigningKeyChoice =
  /** The stack creates the key; its ARN is known once it is deployed. */
  | { readonly source: 'created'; readonly key: Omit<KmsSigningKey, 'keyArn'> }
  /** An existing key, named by its ARN. */
  | { readonly source: 'existing'; readonly key: KmsSigningKey }
  /** A private key in the credentials secret: nothing for the stack to create or grant. */
  | { readonly source: 'credentials' };

export function signingKeyChoice(ref: SigningKeyRef): SigningKeyChoice {
  if (ref === 'credentials') return { source: 'credentials' };
  if (ref === 'kms') return { source: 'created', key: { keySpec: DEFAULT_KMS_SIGNING_KEY_SPEC } };
  const key = {
    keySpec: ref.keySpec ?? DEFAULT_KMS_SIGNING_KEY_SPEC,
    ...(ref.alg === undefined ? {} : { alg: ref.alg }),
    ...(ref.certificateThumbprint === undefined ? {} : { certificateThumbprint: ref.certificateThumbprint }),
  };
  return ref.kmsKeyArn === undefined
    ? { source: 'created', key }
    : { source: 'existing', key: { keyArn: ref.kmsKeyArn, ...key } };
}
