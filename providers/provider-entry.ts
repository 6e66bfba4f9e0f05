import * as z from 'zod/mini';
import { EVENT_BUS_NAME } from '../contract/events.js';
import { type EndpointTarget, tokenEndpointProblem } from '../contract/loopback.js';
import { assertionSettingsSchema, providerSettingsSchema, tokenEndpointSchema } from '../contract/provider-settings.js';
import { STORE_REQUESTS } from './store-choice.js';
import { signingKeyRefSchema } from './signing-key-choice.js';

/*
 * The providers file as people write it: one entry's schema and the file's outer shape. The parser
 * (providers-file.ts) checks against them and providers-schema.ts derives the JSON Schema from them.
 */

// zod/mini carries no messages of its own; the English locale words the few checks that set none.
z.config(z.locales.en());

const secretNameSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name (A-Z a-z 0-9 / _ + = . @ -)'));
const secretArnSchema = z
  .string()
  .check(
    z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a secret ARN'),
  );

export const credentialsRefSchema = z
  .strictObject({ secretName: z.optional(secretNameSchema), secretArn: z.optional(secretArnSchema) })
  .check(z.refine((c) => !(c.secretName && c.secretArn), 'give either "secretName" or "secretArn", not both'));

const settings = providerSettingsSchema.shape;

/**
 * A self-hosted IdP's origin (NAGRA): the preset appends its own path, so a path or a query here
 * would double up in the token endpoint.
 */
const baseUrlSchema = (target: EndpointTarget) =>
  tokenEndpointSchema(target).check(
    z.superRefine((value, ctx) => {
      // The endpoint check above already said what is wrong with anything it refuses.
      if (tokenEndpointProblem(value, target) !== undefined) return;
      const url = new URL(value);
      if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
        ctx.addIssue({
          code: 'custom',
          input: value,
          message: `must be the server's origin only, like "${url.origin}": the preset appends the token path itself; to use another path, set "tokenEndpoint" instead`,
        });
      }
    }),
  );

/**
 * One entry of the providers file as people write it: the settings schema's own fields, optional
 * where a preset or a default fills them, plus what only the construct needs (`baseUrl`, `store`,
 * `credentials`). The ranges are the settings schema's, so the file and the function never disagree.
 * This one is for a deployment; ENTRY_SCHEMAS has the one for local mode.
 */
export const providerEntrySchema = z.strictObject({
  id: settings.id,
  preset: settings.preset,
  tokenEndpoint: z.optional(tokenEndpointSchema('aws')),
  issuer: z.optional(tokenEndpointSchema('aws')),
  authorizationEndpoint: z.optional(tokenEndpointSchema('aws')),
  deviceAuthorizationEndpoint: z.optional(tokenEndpointSchema('aws')),
  authorizationParams: settings.authorizationParams,
  baseUrl: z.optional(baseUrlSchema('aws')),
  clientId: z.optional(settings.clientId),
  grant: z.optional(settings.grant),
  clientAuth: z.optional(settings.clientAuth),
  scope: settings.scope,
  extraParams: z.optional(settings.extraParams),
  useRefreshToken: z.optional(settings.useRefreshToken),
  expectedLifetimeSeconds: z.optional(settings.expectedLifetimeSeconds),
  minValiditySeconds: z.optional(settings.minValiditySeconds),
  checkIntervalMinutes: z.optional(settings.checkIntervalMinutes),
  safetyMarginSeconds: z.optional(settings.safetyMarginSeconds),
  requestTimeoutSeconds: z.optional(settings.requestTimeoutSeconds),
  maxAttempts: z.optional(settings.maxAttempts),
  // Where the key lives is the entry's own `signingKey` (providers/signing-key-choice.ts), richer than the settings'.
  assertion: z.optional(z.omit(assertionSettingsSchema, { signingKey: true })),
  store: z.optional(z.enum(STORE_REQUESTS)),
  credentials: z.optional(credentialsRefSchema),
  signingKey: z.optional(signingKeyRefSchema),
});

/** The entry schema for each place the refresher may run: only the endpoint rule differs. */
export const ENTRY_SCHEMAS: Readonly<Record<EndpointTarget, typeof providerEntrySchema>> = {
  aws: providerEntrySchema,
  local: z.extend(providerEntrySchema, {
    tokenEndpoint: z.optional(tokenEndpointSchema('local')),
    issuer: z.optional(tokenEndpointSchema('local')),
    authorizationEndpoint: z.optional(tokenEndpointSchema('local')),
    deviceAuthorizationEndpoint: z.optional(tokenEndpointSchema('local')),
    baseUrl: z.optional(baseUrlSchema('local')),
  }),
};

export type ProviderEntry = z.infer<typeof providerEntrySchema>;

const alarmEmailsSchema = z.optional(
  z
    .array(z.email('must be an e-mail address'))
    .check(z.maxLength(20, 'at most 20 addresses; subscribe a distribution list instead')),
);

/** The stage's lifecycle events (docs/events.md): which bus, and whether every renewal is an event. */
const eventsSettingsSchema = z.optional(
  z.strictObject({
    busName: z.optional(
      z
        .string()
        .check(
          z.regex(
            EVENT_BUS_NAME,
            'must be an event bus name (letters, digits, . _ - /) or an event bus ARN; "default" is the account\'s default bus',
          ),
        ),
    ),
    tokenRenewed: z.optional(z.boolean()),
  }),
);

/** What the file holds besides its providers: one definition for the parser and the JSON Schema. */
export const FILE_SETTINGS = {
  $schema: z.optional(z.string()),
  /** Subscribed to the stage's alarm topic (each address confirms by e-mail). */
  alarmEmails: alarmEmailsSchema,
  /** Where the stage's lifecycle events go, and whether each renewal is one. */
  events: eventsSettingsSchema,
  /** Where each alarm description links to its runbook section: your copy of docs/runbook.md. */
  runbookUrl: z.optional(
    z
      .string()
      .check(
        z.refine(
          (value) => /^https:\/\/[^\s#]+$/.test(value),
          'must be an https:// URL without a fragment (the alarm appends "#<alarm name>")',
        ),
      ),
  ),
};

/** The file's outer shape, checked first so that each entry can then be checked on its own. */
export const fileShapeSchema = z.strictObject({
  ...FILE_SETTINGS,
  providers: z.array(z.unknown()).check(z.minLength(1, 'must list at least one provider')),
});
