import { describe, expect, it } from 'vitest';
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
});
