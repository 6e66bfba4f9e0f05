import * as z from 'zod/mini';
import { controlCharacterProblem } from './control-characters.js';

/** Text that is sent to the token endpoint: a form field or a header, so no control character. */
export const sentText = (max: number) =>
  z.string().check(
    z.maxLength(max),
    z.superRefine((value, ctx) => {
      const problem = controlCharacterProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
    }),
  );

/** Form parameters the refresher sets itself; an extra parameter may not replace them. */
const RESERVED_PARAMS = [
  'grant_type',
  'client_id',
  'client_secret',
  'username',
  'password',
  'refresh_token',
  'scope',
] as const;

/**
 * Parameter names that carry a secret. Extra parameters are written into the template and the
 * function's environment like every setting, so a secret there would be readable by anyone who can
 * read the stack; secrets belong in the credentials secret.
 */
const SECRET_LIKE_PARAM = /secret|passw|pwd|assertion|token|api[-_.]?key|credential|private[-_.]?key/i;

/** Parameter names of 1 to 64 safe characters, with values that are sent text; `reserved` names and secret-like names refused. */
const paramsSchema = (reserved: readonly string[], field: string, who: string) =>
  z
    .record(
      z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'parameter names are 1 to 64 of A-Z a-z 0-9 _ . -')),
      sentText(512),
    )
    .check(
      z.superRefine((params, ctx) => {
        for (const name of Object.keys(params)) {
          const lower = name.toLowerCase();
          if (reserved.includes(lower)) {
            ctx.addIssue({
              code: 'custom',
              input: params,
              message: `must not set "${name}": ${who} sends ${reserved.join(', ')} itself (use "scope" and "clientId"; secrets go into the credentials secret)`,
            });
          } else if (SECRET_LIKE_PARAM.test(name)) {
            ctx.addIssue({
              code: 'custom',
              input: params,
              message: `"${name}" looks like a secret: the providers file ends up in the CloudFormation template and the function's environment, so secrets go into the credentials secret, never into "${field}"`,
            });
          }
        }
      }),
    );

export const extraParamsSchema = paramsSchema(RESERVED_PARAMS, 'extraParams', 'the refresher');

/**
 * Query parameters `token-refresher connect` sets itself on the authorization request (RFC 6749
 * section 4.1.1, RFC 7636 section 4.3, RFC 9207); the settings' `authorizationParams` may not replace them.
 */
const RESERVED_AUTHORIZATION_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'scope',
] as const;

/** Extra query parameters on the authorization request, e.g. Google's `access_type=offline`. */
export const authorizationParamsSchema = paramsSchema(
  RESERVED_AUTHORIZATION_PARAMS,
  'authorizationParams',
  'token-refresher connect',
);
