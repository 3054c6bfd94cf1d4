// Scoring programs: CRUD, backtests on an event history, and the inactivity decay loop that
// lives as long as the app (started when it is ready, stopped when it closes).
import { z } from 'zod';
import { CodedError, notFound } from '../../errors/index.js';
import { createDecayScheduler, newProgramId, type StoredProgram } from '../../intake/index.js';
import { backtest, NdjsonError, parseHistoryLine, parseNdjsonEvents, ScoringProgramSchema, type HistoryRecord } from '../../scoring/index.js';
import type { RoutePlugin } from '../context.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import { BacktestResultSchema, ScoringProgramListSchema, ScoringProgramViewSchema, backtestView } from '../schemas/scoring.js';
import { handlerValidatesBody } from '../validation.js';

const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'id may contain letters, digits and _.:-') });

const BacktestBody = z
  .object({
    threshold: z.number().describe('Hand-off threshold: crossing means going from <= threshold to > threshold'),
    history: z
      .union([z.string(), z.array(z.record(z.string(), z.json()))])
      .describe('NDJSON text, or an array of history lines ({external_id, name, time, properties} or {external_id, time, attributes})'),
    until: z.iso.datetime({ offset: true }).optional().describe('Apply decay up to this time (default: the last record)'),
    bucket_width: z.number().positive().optional(),
    include_final_scores: z.boolean().optional(),
  })
  .strict();

const BacktestQuery = z.object({
  threshold: z.coerce.number().optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

export function programView(stored: StoredProgram): z.output<typeof ScoringProgramViewSchema> {
  return { id: stored.id, ...stored.program, created_at: stored.createdAt, updated_at: stored.updatedAt };
}

function historyOf(body: z.output<typeof BacktestBody>['history'] | string): HistoryRecord[] {
  try {
    if (typeof body === 'string') return parseNdjsonEvents(body);
    return body.flatMap((line, i) => parseHistoryLine(JSON.stringify(line), i + 1) ?? []);
  } catch (error) {
    if (!(error instanceof NdjsonError)) throw error;
    // The line is named the way the client sent the history: a line of NDJSON or an array entry.
    const path = typeof body === 'string' ? `line ${error.line}` : `history[${error.line - 1}]`;
    throw new CodedError('LH_HISTORY_INVALID', 'invalid history', { fields: [{ path, message: error.message.replace(/^line \d+: /, '') }], cause: error });
  }
}

export const registerScoringRoutes: RoutePlugin = async (app, ctx) => {
  const registry = ctx.programs;
  const scheduler = createDecayScheduler({ intake: ctx.intake, store: ctx.store, logger: ctx.logger });
  app.addHook('onReady', async () => scheduler.start());
  app.addHook('onClose', async () => scheduler.stop());

  const find = (id: string): StoredProgram => {
    const stored = registry.get(id);
    if (!stored) throw notFound(`scoring program ${id}`);
    return stored;
  };
  // An invalid program is LH_SCORING_PROGRAM_INVALID (400) naming each field.
  const save = (id: string, body: unknown): Promise<StoredProgram> => registry.put(id, body);
  const tags = ['scoring'];

  // Bodies are validated by the registry (its 400 names each field); the schema documents them.
  const body = { body: ScoringProgramSchema };
  const bodyCheck = { validatorCompiler: handlerValidatesBody };
  const one = { 200: ScoringProgramViewSchema, ...ERROR_RESPONSES };
  const saved = { 201: ScoringProgramViewSchema, ...one };

  app.post('/scoring-programs', { schema: { summary: 'Create a scoring program', tags, ...body, response: saved }, ...bodyCheck }, async (request, reply) =>
    reply.code(201).send(programView(await save(newProgramId(), request.body))),
  );
  app.get('/scoring-programs', { schema: { summary: 'List scoring programs', tags, response: { 200: ScoringProgramListSchema } } }, async () => ({
    scoring_programs: registry.list().map(programView),
  }));
  app.get('/scoring-programs/:id', { schema: { summary: 'One scoring program', tags, params: IdParams, response: one } }, async (request) =>
    programView(find(request.params.id)),
  );
  app.put(
    '/scoring-programs/:id',
    { schema: { summary: 'Create or replace a scoring program', tags, params: IdParams, ...body, response: saved }, ...bodyCheck },
    async (request, reply) => {
      const existed = registry.get(request.params.id) !== undefined;
      const stored = await save(request.params.id, request.body);
      return reply.code(existed ? 200 : 201).send(programView(stored));
    },
  );
  app.delete(
    '/scoring-programs/:id',
    {
      schema: {
        summary: 'Delete a scoring program and its memberships',
        tags,
        params: IdParams,
        response: { 204: z.null().describe('Deleted'), ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      if (!(await registry.delete(request.params.id))) throw notFound(`scoring program ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  if (!app.hasContentTypeParser('application/x-ndjson')) {
    app.addContentTypeParser('application/x-ndjson', { parseAs: 'string' }, (_request, text, done) => done(null, text));
  }
  app.post(
    '/scoring-programs/:id/backtest',
    {
      schema: {
        summary: 'Replay an event history through the program and report the score distribution',
        description: 'JSON body {threshold, history}, or an application/x-ndjson body with ?threshold=',
        tags,
        params: IdParams,
        querystring: BacktestQuery,
        body: BacktestBody,
        response: { 200: BacktestResultSchema, ...ERROR_RESPONSES },
      },
      // JSON bodies are checked below, NDJSON ones when parsed.
      validatorCompiler: handlerValidatesBody,
    },
    async (request) => {
      const { program } = find(request.params.id);
      let options: z.output<typeof BacktestBody>;
      if (typeof request.body === 'string') {
        if (request.query.threshold === undefined) {
          throw new CodedError('LH_INVALID_REQUEST', 'invalid request', { fields: [{ path: 'threshold', message: 'give ?threshold= with an NDJSON body' }] });
        }
        options = { threshold: request.query.threshold, history: request.body, until: request.query.until };
      } else {
        const parsed = BacktestBody.safeParse(request.body ?? {});
        if (!parsed.success) {
          const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
          throw new CodedError('LH_INVALID_REQUEST', 'invalid backtest request', { fields });
        }
        options = parsed.data;
      }
      try {
        const result = backtest(program, historyOf(options.history), {
          threshold: options.threshold,
          ...(options.until ? { until: options.until } : {}),
          ...(options.bucket_width ? { bucketWidth: options.bucket_width } : {}),
          ...(options.include_final_scores ? { includeFinalScores: true } : {}),
        });
        return backtestView(result);
      } catch (error) {
        if (error instanceof RangeError) throw new CodedError('LH_INVALID_REQUEST', 'invalid backtest request', { fields: [{ path: '', message: error.message }] });
        throw error;
      }
    },
  );
};
