// Secret redaction shared by connected_content records, the delivery log and logs.
// Redaction is by name (query/form/JSON keys, header names) and by value (secrets the
// caller knows, such as a saved token), so a secret never leaves the process in clear.

export const REDACTED = '[REDACTED]';

const SECRET_KEY = /(^|[_-])(secret|password|passwd|pwd|token|access_token|refresh_token|id_token|api[_-]?key|apikey|key|signature|sig|auth|authorization|credentials?|client_secret|code|assertion|session)$/i;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|webhook-signature)$/i;

export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name.trim());
}

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name.trim()) || isSecretKey(name);
}

// The same few URLs (a campaign's token endpoint) are redacted render after render.
const redactedUrls = new Map<string, string>();
const URLS_REMEMBERED = 256;

/** Redact userinfo and secret-looking query parameters of a URL (keeps it readable). */
export function redactUrl(url: string): string {
  let redacted = redactedUrls.get(url);
  if (redacted === undefined) {
    if (redactedUrls.size >= URLS_REMEMBERED) redactedUrls.clear();
    redactedUrls.set(url, (redacted = redactUrlOnce(url)));
  }
  return redacted;
}

function redactUrlOnce(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactFormBody(url);
  }
  if (parsed.password) parsed.password = REDACTED;
  for (const key of [...parsed.searchParams.keys()]) {
    if (isSecretKey(key)) parsed.searchParams.set(key, REDACTED);
  }
  // URLSearchParams re-encodes the brackets; keep the marker legible.
  return parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

/** Redact `name=value` pairs of a form-encoded string whose name looks secret. */
export function redactFormBody(body: string): string {
  if (!body.includes('=')) return body;
  return body.replace(/(^|[&?\s])([^=&\s"']+)=([^&\s"',;}]*)/g, (whole, sep: string, key: string) =>
    isSecretKey(decodeSafe(key)) ? `${sep}${key}=${REDACTED}` : whole,
  );
}

/** Redact string values of secret-looking keys inside JSON text (valid or not). */
export function redactJsonText(text: string): string {
  if (!text.includes('"')) return text;
  return text.replace(/"([^"\\]{1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, key: string, colon: string) =>
    isSecretKey(key) ? `"${key}"${colon}"${REDACTED}"` : whole,
  );
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = isSecretHeader(name) ? redactAuthValue(text) : text;
  }
  return out;
}

/** Keep the scheme of an Authorization value (`Bearer`, `Basic`) so logs stay useful. */
function redactAuthValue(value: string): string {
  const scheme = /^\s*(Bearer|Basic|Token|Digest)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}

/** Redact free text: known secret values first, then form pairs and JSON keys. */
export function redactText(text: string, knownSecrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return redactJsonText(redactFormBody(out));
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
