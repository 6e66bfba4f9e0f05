import * as z from 'zod/mini';
import { FILE_SETTINGS, providerEntrySchema } from './provider-entry.js';

/**
 * The JSON Schema of the providers file (providers.schema.json, written by `npm run schema`), for
 * editors to complete and check the file. It is generated from the zod schemas the parser uses, so the
 * two cannot drift (test/unit/providers/providers-schema.test.ts fails when the file is stale). Checks
 * written in code (a preset's required fields, URL rules, the timing arithmetic) cannot be expressed
 * in it: `token-refresher check` and `cdk synth` still run those.
 */

/** What each field means, as the README's providers-file table says; shown by editors on hover. */
const ENTRY_DOCS: Readonly<Record<keyof typeof providerEntrySchema.shape, string>> = {
  id: '1 to 40 lowercase letters, digits or hyphens. Used in resource names, the metric dimension and outputs.',
  preset: 'The provider family: fills the defaults of every other field. "generic" fills none.',
  tokenEndpoint:
    'https:// URL; no white space, control character, query string or fragment. http:// on localhost, 127.0.0.1 ' +
    'or [::1] only in local mode (token-refresher run, check): a deployment refuses it. Default: from the preset.',
  issuer:
    "The IdP's issuer URL, in place of tokenEndpoint: the refresher reads the token endpoint (and for mTLS its " +
    'mtls_endpoint_aliases one) from the issuer\'s metadata at run time, and requires the metadata\'s "issuer" to equal ' +
    'this value exactly. Same URL rules as tokenEndpoint.',
  authorizationEndpoint:
    'For grant refresh_token: where "token-refresher connect" sends the person to consent, when the issuer\'s ' +
    'metadata does not name it. Same URL rules as tokenEndpoint.',
  deviceAuthorizationEndpoint:
    'For grant refresh_token: where "token-refresher connect --device" asks for a device code (RFC 8628), when the ' +
    "issuer's metadata does not name it. Same URL rules as tokenEndpoint.",
  authorizationParams:
    'For grant refresh_token: extra query parameters on the authorization request "token-refresher connect" builds, ' +
    'e.g. {"access_type": "offline", "prompt": "consent"} (Google). No parameter connect sets itself, and nothing that ' +
    'looks like a secret. Default: from the preset.',
  baseUrl: 'NAGRA only: the origin https://host:port, without a path or query; the preset appends the token path.',
  clientId: 'OAuth client id, without control characters. Default: from the preset (MediaMelon, movingimage).',
  grant:
    'The primary grant that gets the first token. Renewal by refresh token is automatic (useRefreshToken). ' +
    'jwt_bearer: a signed assertion is the grant (RFC 7523), a new one for every token. refresh_token: the provider ' +
    'lives on a refresh token a person connected (token-refresher connect), with no fallback. Default: from the preset.',
  clientAuth:
    "How the client authenticates at the token endpoint; client_secret_basic_raw_and_post is MediaHound's raw " +
    'Basic and body; private_key_jwt and client_secret_jwt send a signed assertion; tls_client_auth and ' +
    'self_signed_tls_client_auth present the certificate in the credentials secret\'s "tls_certificate" and ' +
    '"tls_private_key" (mutual TLS, RFC 8705). Default: from the preset.',
  scope: 'Sent on the primary grant; no line break or other control character. Default: from the preset.',
  extraParams:
    'Extra form parameters on the primary grant, e.g. {"audience": "..."}. No parameter the refresher sets, ' +
    'and nothing that looks like a secret: secrets go into the credentials secret.',
  useRefreshToken: 'Renew with the refresh_token grant while the server hands one out. Default: from the preset.',
  expectedLifetimeSeconds:
    'Access-token lifetime: plans the schedule and the store, and applies when a response has no expires_in. ' +
    "Default: the preset's documented lifetime.",
  minValiditySeconds: 'The least lifetime any consumer read should see. Default: 60.',
  checkIntervalMinutes: 'How often the schedule runs, 1-360. Default: about four runs per usable lifetime, 1-60.',
  safetyMarginSeconds:
    'Extra lead time so that one failed run can be retried before minValiditySeconds is reached. Default and ' +
    'minimum: one check interval + 95 s.',
  requestTimeoutSeconds: "Per token request, 1-10, and never past the run's deadline. Default: 10.",
  maxAttempts: 'Token requests per run for transient failures, 1-5. Default: 3.',
  assertion:
    'Signed assertions (private_key_jwt, client_secret_jwt, grant jwt_bearer): signingKey "kms" or "credentials" ' +
    '(required with private_key_jwt and jwt_bearer), audience (default: the token endpoint), lifetimeSeconds ' +
    "(default 60, at most 3600), subject (jwt_bearer; default: a service-account key file's client_email, else " +
    'clientId), scopeClaim (jwt_bearer: scope as a claim, not a form field), includeCertificateThumbprint (x5t#S256).',
  store:
    'Where the token is published: auto picks Parameter Store for tokens written more often than Secrets ' +
    "Manager's version quota allows. Default: auto.",
  credentials:
    'An existing Secrets Manager secret with the credentials, {"secretName": "..."} or {"secretArn": "..."}, used ' +
    'by no other provider; never the credentials themselves. Default: the stack creates an empty secret ' +
    'token-refresher/<id>/credentials.',
  signingKey:
    'Where the key that signs assertions lives: "kms" (the stack creates a KMS asymmetric key, RSA_2048, kept when ' +
    'the stack is deleted), {"kms": "create", "keySpec": "ECC_NIST_P256"}, {"kmsKeyArn": "arn:aws:kms:..."} (an ' +
    'existing key; give "keySpec" unless it is RSA_2048) or "credentials" (a private key in the credentials secret). ' +
    'Only the provider\'s refresher may sign with a KMS key; "token-refresher public-key <id>" prints its public key.',
};

const FILE_DOCS = {
  $schema: 'This schema, for editors: "./providers.schema.json".',
  alarmEmails: "Addresses subscribed to the stage's alarm topic; each confirms by e-mail. At most 20.",
  runbookUrl:
    'Where each alarm description links to its section (<runbookUrl>#tokenfreshness): your copy of ' +
    "docs/runbook.md. Default: this project's runbook.",
  events:
    'Lifecycle events on Amazon EventBridge (docs/events.md): {"busName": "..."} for a bus other than the ' +
    'account\'s default, {"tokenRenewed": true} for an event on every renewal too. Default: the default bus, ' +
    'transitions only.',
  providers: 'The providers, one refresher each.',
};

/** The file as the parser accepts it, as one zod schema (the parser checks the entries one by one). */
const providersFileSchema = z.strictObject({
  ...FILE_SETTINGS,
  providers: z.array(providerEntrySchema).check(z.minLength(1)),
});

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; description?: string } & Record<
  string,
  unknown
>;

function describe(schema: JsonSchema, docs: Readonly<Record<string, string>>): void {
  for (const [name, text] of Object.entries(docs)) {
    const property = schema.properties?.[name];
    if (property === undefined) throw new Error(`the providers file schema has no field "${name}"`);
    property.description = text;
  }
}

/** The schema as providers.schema.json holds it (draft-07: what editors support best). */
export function providersJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(providersFileSchema, {
    target: 'draft-7',
    io: 'input',
    // Refinements (URL rules, secret-like parameter names) have no JSON Schema form; the parser runs them.
    unrepresentable: 'any',
  }) as JsonSchema;
  describe(schema, FILE_DOCS);
  describe(schema.properties!.providers!.items!, ENTRY_DOCS);
  return { ...schema, title: 'token-refresher providers file' };
}
