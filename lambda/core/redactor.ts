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
      if (value && value.length >= 4) this.secrets.add(value);
    }
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    // Anything shaped like a JWT is a token, whoever it belongs to.
    return out.replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]');
  }
}
