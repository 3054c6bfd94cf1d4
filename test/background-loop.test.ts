import { describe, expect, it, vi } from 'vitest';
import { backgroundLoop } from '../src/background-loop.js';

describe('backgroundLoop', () => {
  it('repeats rounds, survives a failing round, and stops promptly from a long sleep', async () => {
    const errors: unknown[] = [];
    let rounds = 0;
    const loop = backgroundLoop(
      async () => {
        rounds++;
        if (rounds === 2) throw new Error('broken dependency');
        return rounds >= 4 ? 60_000 : 1;
      },
      { errorSleepMs: 1, onError: (error) => errors.push(error) },
    );
    loop.start();
    loop.start(); // a second start is a no-op, not a second loop
    while (rounds < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    // Resolves only because stop wakes the 60 s sleep (the test's timeout is 30 s).
    await loop.stop();
    expect(rounds).toBe(4);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('broken dependency');
  });

  it('backs off after failures in a row (0.5 s doubling up to errorSleepMs) and starts over after a success', async () => {
    vi.useFakeTimers();
    try {
      let rounds = 0;
      let failing = true;
      const loop = backgroundLoop(
        async () => {
          rounds++;
          if (failing) throw new Error('database restarting');
          return 60_000;
        },
        { errorSleepMs: 1500, onError: () => {} },
      );
      loop.start();
      await vi.advanceTimersByTimeAsync(0);
      const roundsAfter = async (ms: number) => (await vi.advanceTimersByTimeAsync(ms), rounds);
      expect(rounds).toBe(1);
      expect(await roundsAfter(499)).toBe(1);
      expect(await roundsAfter(1)).toBe(2);
      expect(await roundsAfter(999)).toBe(2);
      expect(await roundsAfter(1)).toBe(3);
      // Capped at errorSleepMs.
      expect(await roundsAfter(1499)).toBe(3);
      expect(await roundsAfter(1)).toBe(4);
      failing = false;
      expect(await roundsAfter(1500)).toBe(5);
      expect(await roundsAfter(59_999)).toBe(5);
      failing = true;
      expect(await roundsAfter(1)).toBe(6);
      // A new streak starts short again.
      expect(await roundsAfter(500)).toBe(7);
      await loop.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
