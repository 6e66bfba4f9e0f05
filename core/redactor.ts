/**
 * Scrubs every secret value seen during a run (password, client secret, refresh and access tokens)
 * out of text that leaves the core: failure descriptions, log fields and the result. An IdP that
 * echoes a credential in an error page must not get it into CloudWatch.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: (string | undefined)[]): void {
    for (const value of values) {
      // Very short values would redact ordinary words; no real secret is that short.
      if (!value || value.length < 4) continue;
      // Also as an IdP may echo it: JSON-escaped, HTML-escaped, form-encoded (spaces as +), percent-encoded.
      const forms = [
        value,
        JSON.stringify(value).slice(1, -1),
        value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
        encodeURIComponent(value),
        new URLSearchParams({ v: value }).toString().slice(2),
      ];
      for (const form of forms) this.secrets.add(form);
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so that a secret containing another is removed whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length))
      out = out.split(secret).join('[redacted]');
    // Anything shaped like a JWT is a token, whoever it belongs to.
    return out.replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]');
  }
}
