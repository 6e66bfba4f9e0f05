/** `--help` texts: what each command does, what it reads or sends, and its exit codes. */
import { DEFAULT_LOCAL_DIR } from '../local/layout.js';
import { CREDENTIALS_ENV_PREFIX } from '../local/credentials/local-credentials.js';
import { PRICES } from './plan/cost-model.js';
import { DEFAULT_STAGE, MANIFEST_STACK_TAG, STAGE_TAG } from '../contract/naming.js';
import { DEFAULT_CERTIFICATE_DAYS, MAX_CERTIFICATE_DAYS } from './public-key/command.js';
import { DEFAULT_RECOVERY_DAYS, MAX_RECOVERY_DAYS, MIN_RECOVERY_DAYS } from './cleanup/command.js';
export const DEFAULT_PROVIDERS_FILE = 'providers.json';

export const TOP_HELP = `token-refresher: operate the OAuth token refreshers deployed by this project's CDK stack

Usage:
  token-refresher <command> [options]

Commands:
  status              every provider: token expiry, last run, lockout guard, paging alarm, health
  refresh <provider>  renew one provider's token now (invokes its function with {"force": true})
  check <provider>    one token request from this machine, to test credentials and settings
  connect <provider>  a person signs in once; the refresh token goes to the provider's state
  run                 keep every provider's token fresh on this machine (npm start); no AWS
  plan                per provider: schedule, renewals, store, what pages, monthly cost; no AWS
  public-key <provider>  the provider's KMS signing key as a JWK, JWKS or certificate, for its IdP
  cleanup <provider>  delete a removed provider's token, state and ledger (and credentials)

Options:
  -h, --help          show help; "token-refresher <command> --help" for a command
  -V, --version       show the version

AWS access uses the SDK's standard credential chain (--profile, AWS_PROFILE, aws configure, SSO,
roles). No command ever prints a token, a refresh token or a secret. Under --json, an error is one
JSON object on stderr: {"error": {"code": "...", "message": "...", "exitCode": N}}.

Exit codes: 0 ok, 1 a provider is unhealthy or a refresh or check failed, 2 usage or
configuration error, 3 stack not found or AWS error.
`;

/** Where status and refresh find the refreshers: the same options and words for both. */
const DEPLOYMENT_OPTIONS = `  --stage <name>      every refresher tagged ${STAGE_TAG}=<name> (default: ${DEFAULT_STAGE})
  --stack <name>      only this stack (also one deployed before stages, e.g. TokenRefresher)
  --outputs-file <f>  the stacks in a "cdk deploy --outputs-file <f>" result, not CloudFormation
  --region <region>   AWS region (default: AWS_REGION or your AWS profile's region)
  --profile <name>    AWS profile for credentials and region (default: AWS_PROFILE or default)`;

const DEPLOYMENT_TEXT = `The refreshers are found in the manifest parameters /<prefix>/<id>/manifest tagged
${STAGE_TAG}=<stage>, which every ProviderTokenRefresher writes in whatever
stack it is, and in the stack outputs <Provider>Refresher of every stack of the stage (stack
tag ${STAGE_TAG}). With --stack, in that stack's outputs, else in the parameters
tagged ${MANIFEST_STACK_TAG}=<stack>; with --outputs-file, in the file's outputs only
(TokenRefresherStack and TokenRefresherFleet add them). A provider that two refreshers declare is
reported as a problem and not used. When nothing is found, the error names the stage or stack,
the region, and where else to look, and exits 3.`;

export const STATUS_HELP = `Usage: token-refresher status [<provider>...] [--stage <name> | --stack <name> |
                              --outputs-file <file>] [--region <region>] [--profile <name>]
                              [--wide | --json]
       token-refresher status --local [--dir <directory>] [--json]

Shows every provider of the deployment, or only the <provider>s named (an unknown one is a usage
error that lists the known ones): its token store (SM = Secrets Manager, PS = Parameter Store),
when the published token expires, its last run, and whether it is healthy. Below the table, per
provider that needs attention: what is wrong, the last run's failure, and what to do. The table
fits 100 columns; --wide adds the lockout guard and configuration block the function recorded,
the paging alarm, the failure kind, the errors of values it could not read, and the stack.

${DEPLOYMENT_TEXT}

LAST RUN is the last run's outcome in CloudWatch metrics, which arrive 1-2 minutes late. When
the published token was issued after that (e.g. by a "refresh" just now), it shows "refreshed
<age>" from the token's issued_at instead ("(store)" in --wide). "no run in <N>m" means no
metrics in the last three check intervals (at least 15 minutes): the schedule or the function is
not running.

A provider is healthy when its paging alarm is OK, its token has at least minValiditySeconds
left, and it ran in the last three check intervals. HEALTH says "ok" or what is wrong; --json
has "healthy" and "problems" per provider.

With --local, reads what "token-refresher run" keeps in its directory instead, no AWS: per
provider the token file, when the token expires, when it was issued, and the lockout guard and
configuration block from the state file (codes and times only); a provider waiting for
credentials shows as pending, with what to add. Exit 1 when a token has expired or is missing,
or a guard or block is recorded.

Options:
${DEPLOYMENT_OPTIONS}
  --wide              every value in full, however wide
  --json              JSON for scripts, with the state of every alarm
  --local             the local run's files (see "token-refresher run --help")
  --dir <directory>   with --local: its directory (default: ${DEFAULT_LOCAL_DIR})
  -h, --help          show this help

IAM actions:
  cloudformation:DescribeStacks   the stacks' tags and refresher outputs (not with --outputs-file)
  ssm:DescribeParameters          find the manifest parameters by tag (not with --outputs-file)
  ssm:GetParameters               read them: parameter/<prefix>/*/manifest
  secretsmanager:GetSecretValue   the published token (store SM): its expiry and issued_at
  ssm:GetParameter                the published token (store PS), same
  cloudwatch:GetMetricData        last run; guard and block when the state is not read
  cloudwatch:DescribeAlarms       the alarms' states
Optional: ssm:GetParameter on /<prefix>/<id>/ledger, the function's state without its refresh
token (a String parameter), or on /<prefix>/<id>/state for a function that has not written a ledger
yet. It gives when and why the guard or block began. Without it, GUARD and BLOCKED come
from the last run's LockoutGuardEngaged and ConfigurationBlocked metrics ("(per metrics)").
Only timestamps and codes are shown, never a token. A value that cannot be read is shown as "?"
("? (<error>)" in --wide) and the other values are still shown.

Exit codes: 0 every provider healthy, 1 any provider is not (or a refresher output is invalid, a
provider is in two stacks, or a stack of the stage is not deployed), 2 usage error or bad
outputs file, 3 no stack of the stage, stack not found or AWS error.
`;

export const REFRESH_HELP = `Usage: token-refresher refresh <provider> [--stage <name> | --stack <name> |
                               --outputs-file <file>] [--region <region>] [--profile <name>]
                               [--json]

Renews <provider>'s token now: invokes its refresher function with {"force": true}, waits for the
run and prints its outcome, the grant used and when the published token expires, or the error's
kind, code and description. A forced run still respects the lockout guard, and retries a
configuration error the schedule no longer retries.

${DEPLOYMENT_TEXT}

Options:
${DEPLOYMENT_OPTIONS}
  --json              the function's result as JSON
  -h, --help          show this help

IAM actions: cloudformation:DescribeStacks (stack outputs), ssm:DescribeParameters and
ssm:GetParameters on parameter/<prefix>/*/manifest (manifest parameters), to find the provider's
function (not with --outputs-file), and lambda:InvokeFunction on that function.

Exit codes: 0 fresh or refreshed, 1 the run failed, 2 usage error, unknown provider or bad
outputs file, 3 no stack of the stage, stack not found or AWS error.
`;

export const CHECK_HELP = `Usage: token-refresher check <provider> [--providers-file <path>] [--json]
       token-refresher check <provider> (--stage <name> | --stack <name> |
                             --outputs-file <file>) [--region <region>] [--profile <name>] [--json]

Sends exactly one token request, the provider's password, client_credentials or jwt_bearer
grant, from this machine with the settings in the providers file, and reports the HTTP status,
the token's lifetime and scope, whether a refresh token was issued, and whether the token fits
the provider's store. From a providers file it needs no AWS access. Tokens and secrets are never
printed.

With --stage, --stack or --outputs-file, the settings are those the deployed function runs with
instead (its TOKEN_REFRESHER_CONFIG variable), for a ProviderTokenRefresher whose settings are
in your CDK code: the refresher is found as "status" finds it. IAM actions: those of "status" to
find it, and lambda:GetFunctionConfiguration on its function.

Credentials come from these variables, else from a prompt on a terminal (secrets not echoed):
  TOKEN_REFRESHER_USERNAME         password grant
  TOKEN_REFRESHER_PASSWORD         password grant
  TOKEN_REFRESHER_CLIENT_SECRET    clients with a secret (clientAuth other than "none")
PEM text comes from variables only, e.g. TOKEN_REFRESHER_PRIVATE_KEY="$(cat key.pem)":
  TOKEN_REFRESHER_PRIVATE_KEY      "signingKey": "credentials": the key that signs (a PEM, or a
                                   Google service-account key file as it is)
  TOKEN_REFRESHER_PRIVATE_KEY_ID   optional: the kid the IdP registered the key under
  TOKEN_REFRESHER_CERTIFICATE      with "includeCertificateThumbprint" (entra-id): the certificate
  TOKEN_REFRESHER_TLS_CERTIFICATE  mutual TLS (tls_client_auth, self_signed_tls_client_auth)
  TOKEN_REFRESHER_TLS_PRIVATE_KEY  mutual TLS: the certificate's key
A provider whose key is in KMS ("signingKey": "kms") cannot be checked from here: the key signs
only for its refresher. "token-refresher refresh <provider>" sends one grant through the function.

A rejected password counts as a failed login at the provider, whose lockout policy applies:
check once, fix what it reports, then check again.

Options:
  --providers-file <path>  providers file (default: ${DEFAULT_PROVIDERS_FILE})
  --stage <name>           the deployed settings: every refresher of the stage (default: none)
  --stack <name>           the deployed settings: the refreshers of this stack
  --outputs-file <f>       the deployed settings: the stacks in a cdk deploy --outputs-file result
  --region <region>        with the three above: AWS region
  --profile <name>         with the three above: AWS profile for credentials and region
  --json                   JSON for scripts
  -h, --help               show this help

Exit codes: 0 token granted and it fits its store, 1 the token endpoint refused or failed, or
the token would not fit its store, or the deployed function's settings cannot be read, 2 usage
error, bad providers file or missing credentials, 3 the refresher was not found or AWS error.
`;

export const RUN_HELP = `Usage: token-refresher run [--providers-file <path>] [--credentials-file <path>]
                           [--dir <directory>] [--json] [--once] [--demo] [--demo-faults]

Keeps every provider's token fresh on this machine, with the Lambda function's own refresh code:
the same due rule, lockout guard and published-token format, each provider on its own schedule
(a first run at start, then one every checkIntervalMinutes). Each token is written to
<dir>/<provider>.token.json (mode 0600, replaced atomically), which a consumer reads with
TOKEN_SOURCE=file:<that path>; the private state (refresh token, guard) to
<dir>/<provider>.state.json. Ctrl-C stops after the run in progress (twice: at once); a restart
resumes from the state files. One run per directory at a time.

Without credentials (no --credentials-file, no ${CREDENTIALS_ENV_PREFIX}<ID> variable),
it runs a demo: an OAuth server on 127.0.0.1 that behaves like each provider's IdP family, with
built-in credentials, short token lifetimes and a one-minute schedule, in <dir>/demo/.
--demo-faults adds failures from the failure table in docs/runbook.md: 503 and 429 with
Retry-After, an ended session, a changed password (the lockout guard holds), an HTML page.

Credentials for real token endpoints, per provider, checked at every run:
  ${CREDENTIALS_ENV_PREFIX}<ID>      JSON, e.g. {"username": "...", "password": "..."};
                                        <ID> is the id upper-cased, "-" as "_"
  --credentials-file <path>             {"<id>": {"client_secret": "..."}, ...}; mode 0600 only
The variable wins over the file. Editing either counts as new credentials for the guard.

Options:
  --providers-file <path>    providers file (default: ${DEFAULT_PROVIDERS_FILE})
  --credentials-file <path>  credentials file (see above)
  --dir <directory>          where tokens and state are kept (default: ${DEFAULT_LOCAL_DIR})
  --json                     one JSON object per event, for scripts
  --once                     run every provider once, then exit
  --demo                     the demo even when credentials are configured
  --demo-faults              the demo, with failures injected
  -h, --help                 show this help

Nothing printed ever holds a token, a refresh token, a password or a client secret.

Exit codes: 0 stopped by Ctrl-C or SIGTERM, or --once and no run failed; 1 a --once run failed;
2 usage error, bad providers or credentials file, or the directory is in use.
`;

export const PLAN_HELP = `Usage: token-refresher plan [--providers-file <path>] [--stage <name>]
                           [--credentials-layout <layout>] [--json]

Shows what the providers file deploys and what it costs, from the file alone: no AWS access, no
secret read. Per provider: how often it is checked and renewed, renewals a day against the least
that keeps every read at minValiditySeconds (86400 / (lifetime - minValiditySeconds)), store
writes a day, the token store and why it was chosen, the alarms that page, and the estimated
monthly cost by service. Then the stage: its stacks (the shared stack, and the refresher stacks
each provider's id hashes to, as "cdk deploy" lays them out), the quotas it uses (Lambda
concurrency, Parameter Store reads a second at its busiest minute, stacks and the largest template),
the shared costs, and the total.

Costs are estimates at ${PRICES.region} list prices of ${PRICES.date} in ${PRICES.currency}, without free tiers, for a
healthy month: failures add metrics and runs. The stage's shared costs (key, dashboard,
stage-wide metrics) are divided among its providers. The price table and every assumption
(run durations, log bytes per run) are in cli/plan/cost-model.ts.

Options:
  --providers-file <path>  providers file (default: ${DEFAULT_PROVIDERS_FILE})
  --stage <name>           the stage, as "cdk deploy --context stage=<name>" (default: none,
                           the stacks TokenRefresher*)
  --credentials-layout <layout>
                           refresher-stacks or shared-stack, as "cdk deploy --context
                           credentialsLayout=<layout>" (default: shared-stack for the default
                           stage, refresher-stacks for a named one; docs/stage-layout.md)
  --json                   one JSON object for scripts
  -h, --help               show this help

Exit codes: 0 plan shown, 2 usage error, bad providers file, or providers that do not fit one
stage (too many, or too many hashing to one stack).
`;

export const PUBLIC_KEY_HELP = `Usage: token-refresher public-key <provider> [--format jwk|jwks|pem] [--cn <name>]
                                  [--days <n>] [--stage <name> | --stack <name> |
                                  --outputs-file <file>] [--region <region>] [--profile <name>]
                                  [--json]

Prints the public key of <provider>'s KMS signing key (providers file "signingKey"), to register
at its IdP: Okta takes a JWK or a JWKS, Entra ID and Salesforce a certificate. The private key
never leaves KMS.

  --format jwk   (default) the JWK: kty, use "sig", alg, kid and the key's numbers. kid is the
                 KMS key id (the ARN after "key/"), the kid of every assertion the refresher signs
  --format jwks  the same JWK in {"keys": [...]}
  --format pem   a self-signed X.509 certificate (PEM on stdout) of the key, signed by the key in
                 KMS; its x5t#S256 and validity on stderr. When the IdP picks the key by
                 certificate thumbprint, put the x5t#S256 into the providers file as
                 "signingKey": {..., "certificateThumbprint": "<x5t#S256>"}. Each run makes a
                 new certificate (new serial number)

Only the provider's refresher may sign with the key, so --format pem needs a grant for your role
first (the error says how); jwk and jwks need only kms:GetPublicKey.

${DEPLOYMENT_TEXT}

Options:
  --format <f>        jwk, jwks or pem (default: jwk)
  --cn <name>         with pem: subject and issuer common name (default: the provider id)
  --days <n>          with pem: days the certificate is valid, 1-${MAX_CERTIFICATE_DAYS} (default: ${DEFAULT_CERTIFICATE_DAYS})
${DEPLOYMENT_OPTIONS}
  --json              one JSON object: the JWK and, with pem, the certificate, x5t#S256 and validity
  -h, --help          show this help

IAM actions: cloudformation:DescribeStacks (to find the provider's key in the stacks' outputs; not
with --outputs-file), kms:GetPublicKey on the key, and with pem kms:Sign on it (a grant).

Exit codes: 0 printed, 1 the key cannot sign for the provider (not a signing key, or another key
spec than configured), 2 usage error, unknown provider or one without a KMS signing key, 3 no
stack of the stage, stack not found or AWS error (signing refused included).
`;

export const CONNECT_HELP = `Usage: token-refresher connect <provider> [--device | --no-browser |
                               --refresh-token-file <file> | --refresh-token-stdin]
                               [--stage <name> | --stack <name> | --outputs-file <file>]
                               [--region <region>] [--profile <name>] [--json]
       token-refresher connect <provider> --local [--dir <dir>] [--providers-file <file>] [...]

For a provider with "grant": "refresh_token" (an API whose refresh token only a person's consent
yields): obtains its refresh token and writes it into the provider's private state, the
SecureString the function reads, with the stage's KMS key, through the function's own state
code. The refresh token is never printed. Then invokes the function with {"force": true}, as
"refresh" does, to prove it with one renewal. The function runs one at a time, and this command
never presents the refresh token itself, so it cannot race the schedule.

By default, the authorization-code flow with PKCE (S256): a listener on 127.0.0.1 with an
ephemeral port receives the browser's redirect; the URL is printed and opened in your browser.
"state" is checked, and "iss" (RFC 9207) against the provider's "issuer" when it has one.
Endpoints come from the issuer's metadata, or "authorizationEndpoint" and
"deviceAuthorizationEndpoint" in the provider's entry. The client secret, if the provider's
clientAuth sends one, comes from TOKEN_REFRESHER_CLIENT_SECRET, else a prompt (not echoed).

${DEPLOYMENT_TEXT}

Options:
  --device            the device authorization grant (RFC 8628): prints a URL and a code to
                      enter on any device; for a terminal without a browser
  --no-browser        print the sign-in URL, do not open a browser
  --refresh-token-file <file>  a refresh token obtained another way, alone on one line
  --refresh-token-stdin        the same, read from standard input
${DEPLOYMENT_OPTIONS}
  --json              the stored parameter and the proving run's result as JSON
  --local             local mode (token-refresher run): the provider from --providers-file
                      (default providers.json), its refresh token written to
                      <dir>/<provider>.state.json (mode 0600), proved by one local run of it;
                      refused while a "run" uses the directory (stop it, connect, start it again)
  --dir <dir>         local mode's directory (default .token-refresher)
  -h, --help          show this help

The old refresh token is never read: the ledger (a String) gives the rest of the state, and the
state SecureString is only checked to exist (no decryption). The stage's key lets the account
encrypt a state SecureString through SSM, never decrypt it; your IAM decides who may.

IAM actions: those of "status" to find the provider, lambda:GetFunctionConfiguration and
lambda:InvokeFunction on its function, ssm:GetParameter and ssm:PutParameter on its state and
ledger parameters (/<prefix>/<provider>/state and /ledger), kms:Encrypt and kms:GenerateDataKey
on the stage's key. No kms:Decrypt.

Exit codes: 0 connected and renewed (or fresh), 1 the sign-in or the proving renewal failed,
2 usage error, unknown provider or a provider without grant "refresh_token", 3 stack not found
or AWS error.`;

export const CLEANUP_HELP = `Usage: token-refresher cleanup <provider> [--stage <name> | --name-prefix <prefix>]
                               [--include-credentials] [--recovery-window-days <n> |
                               --force-delete-without-recovery] [--yes] [--dry-run]
                               [--region <region>] [--profile <name>] [--json]

Deletes what a provider removed from the deployment leaves behind: its published token (the
parameter /<prefix>/<provider>/token or the secret <prefix>/<provider>/token), its private state
/<prefix>/<provider>/state (which holds the refresh token) and its ledger /<prefix>/<provider>/ledger,
which the function wrote and no stack owns. With --include-credentials, also the credentials
secret <prefix>/<provider>/credentials, which its stack retains. KMS keys are never deleted: a
signing key the stack created is retained; docs/provider-lifecycle.md says how to delete it.

First it confirms that the provider is no longer deployed in the region, and refuses, naming what
it found, while any of these exists: the manifest parameter /<prefix>/<provider>/manifest, a
function whose role is under the IAM path /<prefix>/<provider>/, or a stack output whose
refresher manifest names the provider's state parameter. Then it lists the names it would delete
(never a value), asks you to type the provider id (or --yes), deletes, and reports each name as
deleted, scheduled (a secret in its recovery window), or gone (there was none). Names are
matched exactly: cleanup of "ab" never touches "ab-1".

A secret is scheduled for deletion with a recovery window (default ${DEFAULT_RECOVERY_DAYS} days); until it ends,
"aws secretsmanager restore-secret --secret-id <name>" restores it, and no new secret of that name
can be created: deploying the provider again with the same id fails until you restore it or
delete it with --force-delete-without-recovery.

Options:
  --stage <name>      the stage, as "cdk deploy -c stage=<name>": prefix token-refresher-<name>
                      (default: none, prefix token-refresher)
  --name-prefix <p>   the construct's namePrefix, when your app sets one
  --include-credentials
                      delete the credentials secret too
  --recovery-window-days <n>
                      days a deleted secret can be restored, ${MIN_RECOVERY_DAYS}-${MAX_RECOVERY_DAYS} (default: ${DEFAULT_RECOVERY_DAYS})
  --force-delete-without-recovery
                      delete secrets at once, with no way back
  --yes               delete without asking (needed when stdin is not a terminal)
  --dry-run           list what would be deleted, delete nothing
  --region <region>   AWS region (default: AWS_REGION or your AWS profile's region)
  --profile <name>    AWS profile for credentials and region (default: AWS_PROFILE or default)
  --json              one JSON object: each name, its kind and what happened to it
  -h, --help          show this help

IAM actions:
  ssm:DescribeParameters          which of the names exist (names only, no values)
  secretsmanager:DescribeSecret   on <prefix>/<provider>/token and .../credentials
  lambda:ListFunctions            the functions' roles, to find a refresher still deployed
  cloudformation:DescribeStacks   the stacks' refresher outputs, same
  ssm:DeleteParameters            on parameter/<prefix>/<provider>/token, .../state, .../ledger
  secretsmanager:DeleteSecret     on secret:<prefix>/<provider>/token-* (and .../credentials-*)

Exit codes: 0 deleted, nothing to delete, or --dry-run; 1 the provider is still deployed, or the
deletion was not confirmed (nothing deleted); 2 usage error; 3 AWS error (what was deleted before
it is reported).
`;
