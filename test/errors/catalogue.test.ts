// The error catalogue as a table: every code is unique and well formed, has an HTTP status and a
// message, and an exit code in the CLI's one map; every error class of the project (the Liquid
// engine's included) carries a catalogued code, and the API answers it with the code's status.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EXIT, EXIT_CODE_OF } from '../../src/cli/exit-codes.js';
import { UsageError } from '../../src/cli/errors.js';
import { ConfigError } from '../../src/config/index.js';
import { ContentBlockError, ContentBlockFilesError } from '../../src/content-blocks/index.js';
import { WorkerInvariantError } from '../../src/deliveries/invariants.js';
import { TemplateCampaignError } from '../../src/intake/index.js';
import { SigningSecretError } from '../../src/dispatch/index.js';
import { ReplayRefusedError } from '../../src/domain/index.js';
import { DryRunsBusyError } from '../../src/dryrun/runs.js';
import { ERROR_CATALOGUE, ERROR_CODES, codedErrorOf, isErrorCode, statusOf } from '../../src/errors/index.js';
import { RowRejected, SyncConfigError } from '../../src/ingest/index.js';
import { AbortMessage, LIQUID_ERROR_CODES, LimitError, TemplateError } from '../../src/liquid/index.js';
import { ConnectedContentFetchError } from '../../src/liquid/connected-content/fetcher.js';
import { ConnectedContentSyntaxError } from '../../src/liquid/connected-content/markup.js';
import { ConnectedContentConfigError } from '../../src/liquid/connected-content/request.js';
import { FileNestingError, PartialError } from '../../src/liquid/ruby-compat/tags/partials.js';
import { MessageExtrasSyntaxError } from '../../src/liquid/tags/message-extras-markup.js';
import { AttributeOpError } from '../../src/profiles/index.js';
import { PlaceholderValueError, TemplatesDirError, WebhookFileError, WebhookRenderError, WebhookValidationError } from '../../src/render/index.js';
import { RenderPoolBusyError, RenderStoppedError } from '../../src/render/pool/index.js';
import { DefinitionFileError, NdjsonError, ScoringProgramError } from '../../src/scoring/index.js';
import { errorHandler } from '../../src/server/errors.js';
import { RequestValidationError } from '../../src/server/validation.js';
import { CursorConflictError, DatabaseOwnedError } from '../../src/store/index.js';
import { CampaignValidationError } from '../../src/triggers/index.js';

describe('the error catalogue', () => {
  it('has unique, well-formed codes, each with an HTTP status, a message and an exit code', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    const exitCodes = new Set<number>(Object.values(EXIT));
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^LH_[A-Z]+(_[A-Z]+)*$/);
      const { status, message } = ERROR_CATALOGUE[code];
      expect(status >= 400 && status <= 599, `${code} status ${status}`).toBe(true);
      expect(message.length, code).toBeGreaterThan(0);
      expect(exitCodes.has(EXIT_CODE_OF[code]), `${code} exit code`).toBe(true);
    }
    expect(Object.keys(EXIT_CODE_OF).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('keeps the documented exit codes: usage 2, abort 3, every other error 1', () => {
    expect(EXIT_CODE_OF.LH_USAGE).toBe(2);
    expect(EXIT_CODE_OF.LH_RENDER_ABORTED).toBe(3);
    for (const code of ERROR_CODES.filter((c) => c !== 'LH_USAGE' && c !== 'LH_RENDER_ABORTED')) expect(EXIT_CODE_OF[code], code).toBe(1);
  });

  it('lists every code of the Liquid engine', () => {
    for (const code of Object.values(LIQUID_ERROR_CODES)) expect(isErrorCode(code), code).toBe(true);
  });
});

const placeholder = { text: '{{PH}}', env: 'PH', secret: false, in: [] } as never;

/** One instance of every error class, with the code it must carry. */
const ERRORS: [unknown, string][] = [
  [new UsageError('bad option'), 'LH_USAGE'],
  [new ConfigError(['PORT: not a number']), 'LH_CONFIG_INVALID'],
  [new ContentBlockError('LH_CONTENT_BLOCK_INVALID', 'invalid content block', [{ path: 'content', message: 'x' }]), 'LH_CONTENT_BLOCK_INVALID'],
  [new ContentBlockError('LH_CONTENT_BLOCK_IN_USE', 'content block "a" is included by content block "b"'), 'LH_CONTENT_BLOCK_IN_USE'],
  [new ContentBlockFilesError([{ file: 'a.liquid', line: 1, column: 1, message: 'x' }]), 'LH_FILE_INVALID'],
  [new WorkerInvariantError('oneState', 'd1'), 'LH_INVARIANT'],
  [new TemplateCampaignError('a.webhook.liquid', [{ path: 'name', message: 'x' }]), 'LH_FILE_INVALID'],
  [new SigningSecretError('not base64'), 'LH_SIGNING_SECRET_INVALID'],
  [new ReplayRefusedError('d1', 'in_progress', 'delivery is sending'), 'LH_REPLAY_REFUSED'],
  [new DryRunsBusyError(2), 'LH_DRY_RUNS_BUSY'],
  [new SyncConfigError([{ path: 'source', message: 'x' }]), 'LH_SYNC_INVALID'],
  [new RowRejected('score: NaN is not a finite number'), 'LH_SYNC_ROW_REJECTED'],
  [new TemplateError('unexpected "}"', 1, 2, 'parse'), 'LH_TEMPLATE_INVALID'],
  [new TemplateError('undefined filter', 1, 2, 'render'), 'LH_RENDER_FAILED'],
  [new LimitError('loopIterations', 'too many loop iterations'), 'LH_LIMIT_EXCEEDED'],
  [new AbortMessage('not at threshold'), 'LH_RENDER_ABORTED'],
  [new ConnectedContentFetchError('timeout', 'timed out'), 'LH_CONNECTED_CONTENT_FAILED'],
  [new ConnectedContentSyntaxError('expected a URL'), 'LH_TEMPLATE_INVALID'],
  [new ConnectedContentConfigError('bad header'), 'LH_RENDER_FAILED'],
  [new FileNestingError(), 'LH_LIMIT_EXCEEDED'],
  [new PartialError('in partial'), 'LH_RENDER_FAILED'],
  [new MessageExtrasSyntaxError(':key is missing'), 'LH_TEMPLATE_INVALID'],
  [new AttributeOpError('score', 'cannot inc a string'), 'LH_ATTRIBUTE_OP'],
  [new PlaceholderValueError(placeholder, 'contains "{{"'), 'LH_CONFIG_INVALID'],
  [new WebhookFileError('a.webhook.liquid', [{ line: 1, column: 1, path: '', message: 'x' }]), 'LH_FILE_INVALID'],
  [new TemplatesDirError('templates', []), 'LH_FILE_INVALID'],
  [new WebhookRenderError([{ field: 'url', message: 'x', line: 1, column: 1 }]), 'LH_RENDER_FAILED'],
  [new WebhookRenderError([{ field: 'url', message: 'x', line: 1, column: 1 }], true), 'LH_LIMIT_EXCEEDED'],
  [new WebhookValidationError([{ path: 'url', pathKeys: ['url'], message: 'x' }]), 'LH_WEBHOOK_INVALID'],
  [new RenderPoolBusyError(1), 'LH_RENDER_BUSY'],
  [new RenderStoppedError('time', 'render stopped'), 'LH_LIMIT_EXCEEDED'],
  [new RenderStoppedError('exit', 'thread exited'), 'LH_INTERNAL'],
  [new DefinitionFileError('a.scoring.json', [{ path: '', message: 'x' }]), 'LH_FILE_INVALID'],
  [new NdjsonError(3, 'invalid JSON'), 'LH_HISTORY_INVALID'],
  [new ScoringProgramError('invalid scoring program', [{ path: 'name', message: 'x' }]), 'LH_SCORING_PROGRAM_INVALID'],
  [new CursorConflictError('sync:a', null, '1'), 'LH_CURSOR_CONFLICT'],
  [new DatabaseOwnedError('liquidhook.db', undefined), 'LH_DB_IN_USE'],
  [new CampaignValidationError([{ path: 'name', message: 'x' }]), 'LH_CAMPAIGN_INVALID'],
  [new RequestValidationError(z.object({ a: z.string() }).safeParse({}).error!), 'LH_INVALID_REQUEST'],
];

describe('every error class', () => {
  it.each(ERRORS.map(([error, code]) => [(error as { name: string }).name, code, error] as const))('%s carries %s', (_name, code, error) => {
    expect(codedErrorOf(error)?.code).toBe(code);
  });

  it('is answered by the error handler with its code and the catalogue status', async () => {
    const app = Fastify({ logger: false });
    app.setErrorHandler(errorHandler);
    app.get('/:i', async (request) => {
      throw ERRORS[Number((request.params as { i: string }).i)]![0];
    });
    for (const [i, [error, code]] of ERRORS.entries()) {
      const res = await app.inject({ method: 'GET', url: `/${i}` });
      expect(res.statusCode, String(code)).toBe(statusOf(code as never));
      expect(res.json().code, (error as Error).name).toBe(code);
      // A 500 shows the catalogue's message only.
      if (res.statusCode === 500) expect(res.json().message).toBe(ERROR_CATALOGUE[code as 'LH_INTERNAL'].message);
    }
    await app.close();
  });
});
