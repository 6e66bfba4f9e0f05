import { controlCharacterProblem } from './control-characters.js';

/** Hosts on which a plain-http token endpoint is acceptable (local work and tests). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * Where a token endpoint will be called from: a refresher deployed to AWS (`cdk synth`, `plan`, the
 * constructs), or this machine (`token-refresher run`, the demo, `check`, tests against a loopback
 * server). Only the second may call plain http on a loopback host.
 */
export type EndpointTarget = 'aws' | 'local';

const ENDPOINT_RULE =
  'must be an https:// URL without user info (plain http:// only on localhost, 127.0.0.1 or [::1], and only in local mode)';

/**
 * In AWS, a loopback host is the function's own sandbox, not the machine the file was tested on, and
 * plain http would carry the credentials unencrypted; over https it is still nobody's IdP.
 */
const LOOPBACK_IN_AWS =
  'must be an https:// URL when deployed: plain http:// on a loopback host is for local mode only ' +
  "(token-refresher run, check, the demo); in AWS it would reach the function's own sandbox, not this machine: " +
  "give the IdP's https:// URL";
const LOOPBACK_HTTPS_IN_AWS =
  "must name the IdP's host when deployed: a loopback host is for local mode only (token-refresher run, check, " +
  "the demo); in AWS it would reach the function's own sandbox, not this machine: give the IdP's https:// URL";

/**
 * Why `value` cannot be a token endpoint (or a base URL it is built from) for `target`, or undefined
 * when it can. A query string is refused because the URL is written into the CloudFormation template
 * and the function's environment: parameters belong in the request body ("extraParams"), secrets in
 * the credentials secret.
 */
export function tokenEndpointProblem(value: string, target: EndpointTarget): string | undefined {
  if (value !== value.trim()) return 'has white space around it: remove it';
  const control = controlCharacterProblem(value);
  if (control !== undefined) return control;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return ENDPOINT_RULE;
  }
  if (url.username || url.password) return ENDPOINT_RULE;
  const loopbackHttp = url.protocol === 'http:' && isLoopbackUrl(url);
  if (!(url.protocol === 'https:' || loopbackHttp)) return ENDPOINT_RULE;
  if (loopbackHttp && target === 'aws') return LOOPBACK_IN_AWS;
  if (isLoopbackUrl(url) && target === 'aws') return LOOPBACK_HTTPS_IN_AWS;
  if (url.search !== '' || value.includes('?')) {
    return 'must not have a query string: it would be written into the template and the environment; put parameters in "extraParams" and secrets in the credentials secret';
  }
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment ("#...")';
  return undefined;
}
