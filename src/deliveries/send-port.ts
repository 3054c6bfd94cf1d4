// The send port: resolve here (the campaign catalog lives on this thread), then render and
// attempt either on the send thread or in this one. Both run the same stages (attempt.ts).
import type { WebhookDispatcher } from '../dispatch/index.js';
import type { LiquidhookEngine } from '../liquid/index.js';
import { isStoreUnavailable } from '../store/index.js';
import { attemptRendered, databaseAway, messageOf, networkFailure, renderSend } from './attempt.js';
import { createResolve, type ResolveDeps } from './resolve.js';
import type { Attempted, ResolvedSend, SendPort } from './send-stages.js';
import type { SendThread } from './send-thread.js';

export type SendPortOptions = ResolveDeps &
  (
    | { thread: SendThread }
    | {
        engine: LiquidhookEngine;
        /** Exactly one HTTP attempt per call; never throws. */
        dispatcher: Pick<WebhookDispatcher, 'send'>;
      }
  );

export function createSendPort(options: SendPortOptions): SendPort {
  const resolve = createResolve(options);
  const attempt: (send: ResolvedSend) => Promise<Attempted> =
    'thread' in options
      ? (send) => options.thread.attempt(send)
      : async (send) => attemptRendered(await renderSend(options.engine, send), (request) => options.dispatcher.send(request));

  return {
    async send(delivery, profile) {
      let resolved;
      try {
        resolved = await resolve(delivery, profile);
      } catch (error) {
        // The campaign lookup reads the store; a database away is waited for, not a failure.
        if (isStoreUnavailable(error)) return databaseAway(error);
        return { kind: 'failed', code: 'internal', error: `resolving the send failed: ${messageOf(error)}` };
      }
      if (resolved.kind !== 'resolved') return resolved;
      try {
        return await attempt(resolved.send);
      } catch (error) {
        // Only a closed send thread refuses: whether anything left is unknown, so the retry rules decide.
        return { kind: 'attempted', log: {}, result: networkFailure(messageOf(error)) };
      }
    },
  };
}
