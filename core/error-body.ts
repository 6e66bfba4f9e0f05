import { decodeHtmlEntities } from './text-decoding.js';

/**
 * Reads an error answer whatever its format. Token endpoints send OAuth JSON, Spring Boot error JSON,
 * Spring's XML (`<oauth><error>…`), HTML pages from session limiters and WAFs, or nothing at all;
 * none of that may crash the classifier.
 */
export interface ErrorBody {
  readonly format: 'json' | 'xml' | 'html' | 'text' | 'empty';
  readonly error?: string;
  readonly description?: string;
}

const MAX_TEXT = 200;

function squash(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 3)}...` : flat;
}

/** Lower case for ASCII only, so that offsets in the result are offsets in `text`. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/**
 * The text of an HTML page without its tags, scripts and styles. One forward scan: a page of
 * unclosed `<` (a WAF or an attacker may send one) costs as much as any other page of its size,
 * where a tag-stripping regular expression would restart at each `<` and take minutes.
 */
function stripTags(html: string, lower: string): string {
  let out = '';
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    if (lt < 0) return out + html.slice(at);
    out += `${html.slice(at, lt)} `;
    const gt = html.indexOf('>', lt);
    if (gt < 0) return out; // an unclosed tag runs to the end
    at = gt + 1;
    for (const raw of ['<script', '<style']) {
      if (!lower.startsWith(raw, lt)) continue;
      const close = lower.indexOf(`</${raw.slice(1)}`, at);
      at = close < 0 ? html.length : close;
    }
  }
  return out;
}

function titleOf(html: string, lower: string): string | undefined {
  const open = lower.indexOf('<title');
  const start = open < 0 ? -1 : html.indexOf('>', open);
  const end = start < 0 ? -1 : lower.indexOf('</title', start);
  return end < 0 ? undefined : stripTags(html.slice(start + 1, end), lower.slice(start + 1, end));
}

function xmlField(body: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`, 'i').exec(body);
  return match?.[1] === undefined ? undefined : squash(decodeHtmlEntities(match[1]));
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? squash(value) : undefined;
}

export function parseErrorBody(body: string): ErrorBody {
  const trimmed = body.trim();
  if (trimmed === '') return { format: 'empty' };
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      const error = stringField(json.error);
      // Spring Boot's error page puts the reason in `message`.
      const description = stringField(json.error_description) ?? stringField(json.message);
      return { format: 'json', ...(error ? { error } : {}), ...(description ? { description } : {}) };
    } catch {
      return { format: 'text', description: squash(trimmed) };
    }
  }
  if (/<html|<!doctype html/i.test(trimmed)) {
    const lower = asciiLower(trimmed);
    const text = titleOf(trimmed, lower) ?? stripTags(trimmed, lower);
    return { format: 'html', description: squash(decodeHtmlEntities(text)) };
  }
  if (trimmed.startsWith('<')) {
    const error = xmlField(trimmed, 'error');
    const description = xmlField(trimmed, 'error_description');
    return { format: 'xml', ...(error ? { error } : {}), ...(description ? { description } : {}) };
  }
  return { format: 'text', description: squash(trimmed) };
}
