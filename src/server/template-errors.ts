// A 400 for templates that do not parse: one entry per field, with the field's path and the
// line and column inside it (the save-time check itself is render's webhookTemplateIssues).
import { formatPath } from '../domain/index.js';
import { templateError, webhookTemplateIssues, withPosition, type Webhook } from '../render/index.js';
import { HttpError, type FieldError } from './errors.js';

/** Throws a 400 naming every field of `webhook` (at `prefix`) whose template does not parse. */
export function assertWebhookTemplatesParse(webhook: Webhook, prefix: PropertyKey[], what: string): void {
  const errors: FieldError[] = webhookTemplateIssues(webhook).map((issue) => ({
    path: formatPath([...prefix, ...issue.field.path]),
    message: withPosition(issue),
    ...(issue.line > 0 ? { line: issue.line, column: issue.column } : {}),
  }));
  if (errors.length > 0) throw new HttpError(400, `invalid ${what}`, errors);
}

/** Throws a 400 when the template at `path` does not parse. */
export function assertTemplateParses(template: string, path: PropertyKey[], what: string): void {
  const error = templateError(template);
  if (!error) return;
  const position = error.line > 0 ? { line: error.line, column: error.column } : {};
  throw new HttpError(400, `invalid ${what}`, [{ path: formatPath(path), message: withPosition({ ...error, message: error.reason }), ...position }]);
}
