import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { StackOptions } from '../common/stack-options.js';
import type { AwsClients } from '../common/aws-clients.js';
import { AwsCallError, awsCall } from '../common/aws-failure.js';
import { findProvider, readDeployment } from '../common/deployment.js';
import { CliError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';
import { withProgress } from '../common/spinner.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { errorNameOf } from '../../contract/error-name.js';
import {
  type KmsJoseAlgorithm,
  type KmsSigningKeySpec,
  KMS_SIGNING_KEY_SPECS,
  kmsKeyIdOf,
  kmsSigningScheme,
} from '../../contract/signing-key.js';
import { type CertificateSignature, type SelfSignedCertificate, selfSignedCertificate } from './certificate.js';

export const PUBLIC_KEY_FORMATS = ['jwk', 'jwks', 'pem'] as const;
export type PublicKeyFormat = (typeof PUBLIC_KEY_FORMATS)[number];
/** Two years: what Entra ID shows as the longest recommended certificate lifetime, and what most IdPs accept. */
export const DEFAULT_CERTIFICATE_DAYS = 730;
export const MAX_CERTIFICATE_DAYS = 3650;

export interface PublicKeyOptions extends StackOptions {
  readonly provider: string;
  readonly format: PublicKeyFormat;
  /** The certificate's subject and issuer; default: the provider id. */
  readonly commonName?: string;
  readonly days: number;
}

/** A JWK of the public key, as RFC 7517 writes it: the key's own fields after `kty`, `use`, `alg`, `kid`. */
export type PublicJwk = Record<string, string>;

interface PublicKeyModel {
  readonly provider: string;
  readonly keyArn: string;
  readonly keySpec: KmsSigningKeySpec;
  readonly jwk: PublicJwk;
  readonly certificate?: SelfSignedCertificate;
}

/**
 * The JWK of a KMS key's public key. `kid` is the KMS key id (the part of the ARN after `key/`), the
 * `kid` the refresher puts in every assertion it signs with the key (lambda/adapters/kms-signer.ts):
 * both derive it from the ARN, so they agree without the function calling KMS for it.
 */
export function publicJwk(publicKeyDer: Uint8Array, keyArn: string, alg: KmsJoseAlgorithm): PublicJwk {
  const exported = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  }) as Record<string, string>;
  const { kty, ...material } = exported;
  return { kty: kty!, use: 'sig', alg, kid: kmsKeyIdOf(keyArn), ...material };
}

function isKeySpec(value: string | undefined): value is KmsSigningKeySpec {
  return (KMS_SIGNING_KEY_SPECS as readonly (string | undefined)[]).includes(value);
}

async function readPublicKey(kms: KMSClient, keyArn: string, configured: string) {
  const answer = await awsCall(kms, 'GetPublicKey', () => kms.send(new GetPublicKeyCommand({ KeyId: keyArn })));
  if (answer.KeyUsage !== 'SIGN_VERIFY' || !answer.PublicKey) {
    throw new CliError(
      `KMS key ${keyArn} has key usage ${answer.KeyUsage ?? 'unknown'}, not SIGN_VERIFY: it cannot sign assertions; ` +
        'point the provider\'s "signingKey" at an asymmetric signing key',
      EXIT.failed,
      'key_not_signing',
    );
  }
  if (answer.KeySpec !== configured || !isKeySpec(answer.KeySpec)) {
    throw new CliError(
      `KMS key ${keyArn} is ${answer.KeySpec ?? 'of an unknown spec'}, but the provider is configured for ${configured}: ` +
        'the refresher cannot sign with it; set "signingKey.keySpec" in the providers file to the key\'s spec and deploy',
      EXIT.failed,
      'key_spec_mismatch',
    );
  }
  return { der: answer.PublicKey, keySpec: answer.KeySpec };
}

/**
 * Signs the certificate with the key. The key's policy lets only the refresher sign (docs/signing-keys.md),
 * so an operator needs a grant for this one signature; the error says how to get one.
 */
async function signWithKms(kms: KMSClient, keyArn: string, digest: Uint8Array, signature: CertificateSignature) {
  try {
    const answer = await awsCall(kms, 'Sign', () =>
      kms.send(
        new SignCommand({
          KeyId: keyArn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: signature.kmsAlgorithm,
        }),
      ),
    );
    if (!answer.Signature) throw new CliError(`KMS Sign with key ${keyArn} returned no signature`, EXIT.aws);
    return answer.Signature;
  } catch (error) {
    if (error instanceof AwsCallError && errorNameOf(error.cause) === 'AccessDeniedException') {
      throw new CliError(
        `you may not sign with KMS key ${keyArn}: only the provider's refresher may (its key policy). To make the ` +
          'certificate once, have an administrator grant your role Sign for a moment: aws kms create-grant --key-id ' +
          `${keyArn} --grantee-principal <your role ARN> --operations Sign, run this again, then aws kms revoke-grant ` +
          'with the grant id it printed. The JWK (--format jwk) needs no grant',
        EXIT.aws,
        'sign_denied',
      );
    }
    throw error;
  }
}

async function collect(options: PublicKeyOptions, io: CliIo, clients: AwsClients): Promise<PublicKeyModel> {
  return withProgress(io, 'reading the stacks', options, async (progress) => {
    const deployment = await readDeployment(options.source, clients, io.cwd);
    const refresher = findProvider(deployment, options.provider, 'public-key');
    const configured = refresher.signingKey;
    if (!configured) {
      throw new CliError(
        `provider "${refresher.provider}" has no KMS signing key: give it "signingKey": "kms" (or {"kmsKeyArn": ...}) ` +
          'in the providers file and deploy; a private key in the credentials secret has its public key with it',
        EXIT.usage,
        'no_signing_key',
      );
    }
    const { keyArn } = configured;
    progress.update(`reading the public key of ${keyArn}`);
    const publicKey = await readPublicKey(clients.kms, keyArn, configured.keySpec);
    const alg = kmsSigningScheme(publicKey.keySpec, configured.alg as KmsJoseAlgorithm | undefined).alg;
    const model = {
      provider: refresher.provider,
      keyArn,
      keySpec: publicKey.keySpec,
      jwk: publicJwk(publicKey.der, keyArn, alg),
    };
    if (options.format !== 'pem') return model;
    progress.update(`signing the certificate with ${keyArn}`);
    const certificate = await selfSignedCertificate({
      publicKeyDer: publicKey.der,
      keySpec: publicKey.keySpec,
      commonName: options.commonName ?? refresher.provider,
      notBefore: new Date(io.now()),
      days: options.days,
      signDigest: (digest, signature) => signWithKms(clients.kms, keyArn, digest, signature),
    });
    return { ...model, certificate };
  });
}

/** `token-refresher public-key <provider>`: the provider's KMS public key, for registering at the IdP. */
export async function runPublicKey(options: PublicKeyOptions, io: CliIo, clients: AwsClients): Promise<ExitCode> {
  const model = await collect(options, io, clients);
  const { certificate } = model;
  if (options.json) {
    const json = {
      provider: model.provider,
      keyArn: model.keyArn,
      keySpec: model.keySpec,
      jwk: model.jwk,
      ...(certificate
        ? {
            certificate: {
              pem: certificate.pem,
              'x5t#S256': certificate.x5tS256,
              notBefore: certificate.notBefore.toISOString(),
              notAfter: certificate.notAfter.toISOString(),
            },
          }
        : {}),
    };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else if (certificate) {
    io.stdout(certificate.pem);
    // On stderr, so that stdout stays a certificate file the IdP accepts as it is.
    io.stderr(
      `x5t#S256: ${certificate.x5tS256}\nvalid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}\n`,
    );
  } else {
    const value = options.format === 'jwks' ? { keys: [model.jwk] } : model.jwk;
    io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }
  return EXIT.ok;
}
