import { err, ok, type Result } from '../../base/result.js';
import { failure } from '../../contract/failure.js';
import type { ClientAuthMethod } from '../../contract/provider-settings.js';
import { type Clock, type MetadataSource, NoAnswerError } from '../ports.js';
import { type Discovered, type MetadataProblem, metadataUrls, readMetadata } from './metadata.js';

/** Below this a metadata request is not worth sending. */
const MIN_METADATA_MS = 500;

/**
 * The issuer's metadata, read from its first well-known URL that has it, all within `budgetMs`: a
 * metadata request never eats the time the token request needs. A missing answer, a wrong or
 * oversized document are returned as problems, never thrown.
 */
export async function discover(
  source: MetadataSource,
  clock: Clock,
  issuer: string,
  method: ClientAuthMethod,
  budgetMs: number,
): Promise<Result<Discovered & { readonly url: string }, MetadataProblem>> {
  const endMs = clock.now() + budgetMs;
  let last: MetadataProblem | undefined;
  for (const url of metadataUrls(issuer)) {
    const timeoutMs = endMs - clock.now();
    if (timeoutMs < MIN_METADATA_MS) break;
    let read: Result<Discovered, MetadataProblem>;
    try {
      read = readMetadata(await source.read(url, timeoutMs), url, issuer, method);
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
      const description = `the metadata at ${url}: ${error.message}`;
      return err({ ...failure('transient', `metadata_${error.code}`, description), fatal: false, tryNext: false });
    }
    if (read.ok) return ok({ ...read.value, url });
    last = read.error;
    if (!read.error.tryNext) break;
  }
  return err(
    last ?? {
      ...failure(
        'transient',
        'no_time_left',
        `the metadata of ${issuer} was not read: the run has no time left for it`,
      ),
      fatal: false,
      tryNext: false,
    },
  );
}
