import { decodeText } from './text-decoding.js';

/**
 * Scrubs every secret value seen during a run (password, client secret, refresh and access tokens)
 * out of text that leaves the core: failure descriptions, log fields and the result. An IdP that
 * echoes a credential in an error page must not get it into CloudWatch, whatever encoding it used.
 *
 * The text is decoded first (HTML character references, JSON escapes, percent and form encoding, in
 * one pass: core/text-decoding.ts) and searched there, so a secret is found in any mix of
 * those encodings; the matching span of the original text is cut out. Base64 runs (a Basic header
 * echoed back) are decoded too, and cut out whole when they hold a secret.
 */
export class Redactor {
  /** Each secret as it reads once decoded: raw, and once more decoded for a secret that looks encoded. */
  private readonly forms = new Set<string>();

  add(...values: (string | undefined)[]): void {
    for (const value of values) {
      // Very short values would redact ordinary words; no real secret is that short.
      if (!value || value.length < MIN_SECRET_LENGTH) continue;
      // A private key's PEM may show a line at a time: each long line of a multi-line secret counts.
      const lines = value.includes('\n') ? value.split(/\r?\n/).filter((l) => l.length >= MIN_LINE_LENGTH) : [];
      for (const form of [value, decodeText(value, ALL).text, ...lines]) {
        if (form.length >= MIN_SECRET_LENGTH) this.forms.add(canonical(form));
      }
    }
  }

  redact(text: string): string {
    const spans: [number, number][] = [];
    const decoded = decodeText(text, ALL);
    const searched = canonical(decoded.text);
    for (const form of this.forms) {
      for (let at = searched.indexOf(form); at >= 0; at = searched.indexOf(form, at + form.length)) {
        spans.push([decoded.start[at]!, decoded.end[at + form.length - 1]!]);
      }
    }
    if (this.forms.size > 0) {
      for (const run of decoded.text.matchAll(BASE64_RUN)) {
        if (!this.holdsSecret(run[0])) continue;
        spans.push([decoded.start[run.index]!, decoded.end[run.index + run[0].length - 1]!]);
      }
    }
    // Anything shaped like a JWT is a token, whoever it belongs to.
    return cut(text, spans).replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]');
  }

  /** Any string in `value` (an object, an array, a string) redacted, for log fields. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v: unknown) => this.redactValue(v)) as T;
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)])) as T;
    }
    return value;
  }

  /**
   * A base64 run, decoded at each of the four alignments it may have been cut at. A run cut inside
   * the secret loses up to two bytes at either end, so a long secret is also found without them.
   */
  private holdsSecret(run: string): boolean {
    for (let skip = 0; skip < 4 && run.length - skip >= MIN_BASE64_RUN; skip++) {
      const plain = canonical(decodeText(Buffer.from(run.slice(skip), 'base64').toString('utf8'), ALL).text);
      for (const form of this.forms) {
        if (plain.includes(form.length >= 2 * MIN_SECRET_LENGTH ? form.slice(2, -2) : form)) return true;
      }
    }
    return false;
  }
}

const MIN_SECRET_LENGTH = 4;
/** Shorter lines of a multi-line secret are not searched alone: they would redact ordinary words. */
const MIN_LINE_LENGTH = 16;
const ALL = { json: true, percent: true } as const;
/** base64 or base64url, long enough to hold a secret of MIN_SECRET_LENGTH bytes. */
const MIN_BASE64_RUN = 6;
const BASE64_RUN = /[A-Za-z0-9+/_-]{6,}={0,2}/g;

/** Form encoding turns spaces into `+`: both read the same, so either way a secret is found. */
function canonical(text: string): string {
  return text.replace(/\+/g, ' ');
}

/** `text` with the (possibly overlapping) spans replaced by a marker. */
function cut(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let open: [number, number] | undefined;
  for (const [from, to] of spans) {
    if (open && from <= open[1]) {
      open[1] = Math.max(open[1], to);
      continue;
    }
    if (open) {
      out += `${text.slice(at, open[0])}[redacted]`;
      at = open[1];
    }
    open = [from, to];
  }
  out += `${text.slice(at, open![0])}[redacted]`;
  return out + text.slice(open![1]);
}
