import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../common/errors.js';

/**
 * A refresh token handed over some other way (an IdP's console, another tool): one line of a file
 * or of standard input. RFC 6749 appendix A.17: printable ASCII; a private state of 8 KB keeps one
 * of at most this many characters with room for the rest.
 */
export const MAX_REFRESH_TOKEN_CHARS = 4096;
const VSCHAR = /^[\x20-\x7e]+$/;

/** The token in `text`: a trailing line break dropped; what is wrong with it otherwise, never the value. */
export function refreshTokenFrom(text: string, where: string): string {
  const token = text.replace(/\r?\n$/, '');
  if (token.length === 0) throw new UsageError(`${where} holds no refresh token`, 'connect');
  if (token.length > MAX_REFRESH_TOKEN_CHARS) {
    throw new UsageError(
      `${where} holds ${token.length} characters, more than the ${MAX_REFRESH_TOKEN_CHARS} a refresh token may have here`,
      'connect',
    );
  }
  if (!VSCHAR.test(token) || token.trim() !== token) {
    throw new UsageError(
      `${where} must hold one line, the refresh token alone (printable ASCII, no surrounding spaces); it was not shown`,
      'connect',
    );
  }
  return token;
}

/** Reads at most a little more than the largest token, so a wrong file (a disk image) is never read whole. */
export async function readRefreshTokenFile(path: string, cwd: string): Promise<string> {
  const full = resolve(cwd, path);
  let handle;
  try {
    handle = await open(full, 'r');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'unreadable';
    throw new UsageError(`--refresh-token-file ${path}: cannot be read (${code})`, 'connect');
  }
  try {
    const buffer = Buffer.alloc(MAX_REFRESH_TOKEN_CHARS + 3);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return refreshTokenFrom(buffer.subarray(0, bytesRead).toString('utf8'), `--refresh-token-file ${path}`);
  } finally {
    await handle.close();
  }
}

/** Standard input up to its end, bounded as a file is. */
export async function readBoundedStdin(stream: AsyncIterable<Buffer | string>): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.length > MAX_REFRESH_TOKEN_CHARS + 2) break;
  }
  return text;
}
