// LH_TEMPLATE_INVALID (400) for templates that do not parse: one entry per field, with the
// field's path and the line and column inside it (the save-time check itself is render's
// webhookTemplateIssues).
import { formatPath } from '../domain/index.js';
import { CodedError, type FieldProblem } from '../errors/index.js';
import { templateError, webhookTemplateIssues, withPosition, type Webhook } from '../render/index.js';

/** Throws LH_TEMPLATE_INVALID naming every field of `webhook` (at `prefix`) whose template does not parse. */
export function assertWebhookTemplatesParse(webhook: Webhook, prefix: PropertyKey[], what: string): void {
  const errors: FieldProblem[] = webhookTemplateIssues(webhook).map((issue) => ({
    path: formatPath([...prefix, ...issue.field.path]),
    message: withPosition(issue),
    ...(issue.line > 0 ? { line: issue.line, column: issue.column } : {}),
  }));
  if (errors.length > 0) throw new CodedError('LH_TEMPLATE_INVALID', `invalid ${what}`, { fields: errors });
}

/** Throws LH_TEMPLATE_INVALID when the template at `path` does not parse. */
export function assertTemplateParses(template: string, path: PropertyKey[], what: string): void {
  const error = templateError(template);
  if (!error) return;
  const position = error.line > 0 ? { line: error.line, column: error.column } : {};
  throw new CodedError('LH_TEMPLATE_INVALID', `invalid ${what}`, {
    fields: [{ path: formatPath(path), message: withPosition({ ...error, message: error.reason }), ...position }],
  });
}
