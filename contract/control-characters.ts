/**
 * Control characters (C0 with tab, CR and LF, DEL, C1) and the Unicode line and paragraph separators.
 * No setting that is sent to a token endpoint (a form field, a header, the URL) has a use for them:
 * one there is a line break or a tab copied along with the value, and it would reach the server as
 * part of the value, or, in a URL, be dropped by the URL parser without a word.
 */
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;

const NAMES: Readonly<Record<string, string>> = {
  '\n': 'a line feed (\\n)',
  '\r': 'a carriage return (\\r)',
  '\t': 'a tab (\\t)',
  '\u0000': 'a NUL (\\u0000)',
};

/** Why `value` cannot be sent, naming its first control character and where; undefined when it can. */
export function controlCharacterProblem(value: string): string | undefined {
  const found = CONTROL_CHARACTER.exec(value);
  if (!found) return undefined;
  const char = found[0];
  const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return (
    `must not contain a line break, a tab or another control character: found ${NAMES[char] ?? code} at ` +
    `character ${found.index + 1}; remove it`
  );
}
