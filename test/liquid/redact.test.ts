import { describe, expect, it } from 'vitest';
import { REDACTED, redactFormBody, redactHeaders, redactJsonText, redactText, redactUrl } from '../../src/liquid/redact.js';

describe('redaction', () => {
  it('redacts secret form fields and keeps the others', () => {
    expect(redactFormBody('client_id=abc&client_secret=s3cr3t&grant_type=client_credentials')).toBe(
      `client_id=abc&client_secret=${REDACTED}&grant_type=client_credentials`,
    );
  });

  it('stops a form value at JSON punctuation so the rest of the text stays readable', () => {
    const text = '{"body":"a=1&client_secret=xyz","status":"ok"}';
    expect(redactFormBody(text)).toBe(`{"body":"a=1&client_secret=${REDACTED}","status":"ok"}`);
  });

  it('redacts secret JSON keys, URL query secrets and userinfo', () => {
    expect(redactJsonText('{"access_token": "tok", "instance_url": "https://x"}')).toBe(
      `{"access_token": "${REDACTED}", "instance_url": "https://x"}`,
    );
    expect(redactUrl('https://u:pw@example.com/p?api_key=k&q=1')).toBe(`https://u:${REDACTED}@example.com/p?api_key=${REDACTED}&q=1`);
  });

  it('keeps the auth scheme of Authorization headers and redacts known values anywhere', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc', 'Content-Type': 'application/json' })).toEqual({
      Authorization: `Bearer ${REDACTED}`,
      'Content-Type': 'application/json',
    });
    expect(redactText('token is tok-12345 here', ['tok-12345'])).toBe(`token is ${REDACTED} here`);
  });
});
