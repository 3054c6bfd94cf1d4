// The delivery page offers replay exactly where the API allows it (src/domain/replay.ts).
import { describe, expect, it } from 'vitest';
import { replayVerdict, type ReplayableStatus } from '../../src/domain/index.js';
// @ts-expect-error the editor's modules are plain browser JavaScript
import { replayOffer } from '../../src/editor/public/js/views/deliveries.js';

const STATUSES: ReplayableStatus[] = ['queued', 'sending', 'delivered', 'aborted', 'failed', 'dead'];

describe('replayOffer', () => {
  it.each(STATUSES)('%s: the button is enabled where the rule allows it, with force only for delivered', (status) => {
    const offer = replayOffer(status) as { allowed: boolean; force?: boolean; label: string };
    expect(offer.allowed).toBe(replayVerdict(status, { force: offer.force === true }).allowed);
    expect(offer.force === true).toBe(status === 'delivered');
    if (offer.allowed && !offer.force) expect(replayVerdict(status).allowed).toBe(true);
  });

  it('an aborted delivery is offered a new render, not a plain resend', () => {
    expect(replayOffer('aborted').label).toBe('Render again and send');
  });
});
