/**
 * Every encoding a credential can travel in when an IdP echoes what it received: JSON, HTML character
 * references, percent and form encoding, Basic headers, base64 cut anywhere, and mixes of them.
 */
export const CLIENT_ID = 'svc.client id&1';

const every = (s: string, encode: (ch: string) => string) =>
  [...s].map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : encode(ch))).join('');
const utf8Percent = (ch: string, upper: boolean) =>
  [...Buffer.from(ch)]
    .map((b) => `%${b.toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}`)
    .join('');
/** A character as JSON `\\u` escapes, one per UTF-16 unit (two for an emoji). */
const units = (ch: string, upper: boolean) =>
  Array.from({ length: ch.length }, (_, k) => {
    const hex = ch.charCodeAt(k).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  }).join('');
export const form = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
const base64 = (s: string) => Buffer.from(s).toString('base64');

/** Every encoding a credential can travel in when an IdP echoes it. */
export const ENCODINGS: Record<string, (s: string) => string> = {
  raw: (s) => s,
  'JSON string': (s) => JSON.stringify(s).slice(1, -1),
  'JSON \\u escapes': (s) => every(s, (ch) => units(ch, false)),
  'JSON \\u escapes, upper case': (s) => every(s, (ch) => units(ch, true)),
  'HTML named': (s) =>
    s
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;'),
  'HTML named, upper case': (s) =>
    s.replace(/&/g, '&AMP;').replace(/</g, '&LT;').replace(/>/g, '&GT;').replace(/"/g, '&QUOT;'),
  'HTML decimal': (s) => every(s, (ch) => `&#${ch.codePointAt(0)};`),
  'HTML hex, lower case': (s) => every(s, (ch) => `&#x${ch.codePointAt(0)!.toString(16)};`),
  'HTML hex, upper case': (s) => every(s, (ch) => `&#X${ch.codePointAt(0)!.toString(16).toUpperCase()};`),
  'HTML &#x27; and &#39;': (s) => s.replace(/'/g, '&#x27;').replace(/"/g, '&#34;').replace(/</g, '&#x3C;'),
  'percent, upper case': (s) => encodeURIComponent(s),
  'percent, lower case': (s) => every(s, (ch) => utf8Percent(ch, false)),
  form,
  'mixed in one string': (s) =>
    [...s]
      .map((ch, i) =>
        /[A-Za-z0-9]/.test(ch)
          ? ch
          : [
              (c: string) => `&#${c.codePointAt(0)};`,
              encodeURIComponent,
              (c: string) => JSON.stringify(c).slice(1, -1),
            ][i % 3]!(ch),
      )
      .join(''),
  'Basic base64(id:secret)': (s) => `Basic ${base64(`${CLIENT_ID}:${s}`)}`,
  'Basic base64(id:form(secret))': (s) => `Basic ${base64(`${CLIENT_ID}:${form(s)}`)}`,
  'Basic base64(form(id):form(secret))': (s) => `Basic ${base64(`${form(CLIENT_ID)}:${form(s)}`)}`,
  'base64 of the form body': (s) => base64(`client_id=${form(CLIENT_ID)}&client_secret=${form(s)}`),
  'base64url, cut at any alignment': (s) => Buffer.from(`xx${s}yy`).toString('base64url').slice(1),
  'base64 inside a JSON string with escaped slashes': (s) => base64(`${CLIENT_ID}:${s}?/?`).replace(/\//g, '\\/'),
};

/** The middle of `secret` in base64 at each alignment: present in any base64 text that holds it. */
export function base64Cores(secret: string): string[] {
  return [0, 1, 2].map((k) =>
    Buffer.from(`${'x'.repeat(k)}${secret}`)
      .toString('base64')
      .slice(4, -4),
  );
}
