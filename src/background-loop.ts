// A background round repeated until stopped: the exporter and the decay scheduler run this way.
// `stop` wakes a sleeping loop and waits for the round in progress, so shutdown is prompt and clean.

export interface BackgroundLoop {
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs `round` and sleeps the milliseconds it returns; a failed round is reported to `onError`
 * and followed by a sleep of `errorSleepMs`, so a broken dependency is retried, not spun on.
 */
export function backgroundLoop(
  round: () => Promise<number>,
  options: { errorSleepMs: number; onError: (error: unknown) => void },
): BackgroundLoop {
  let running = false;
  let loop: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  async function run(): Promise<void> {
    while (running) {
      let ms = options.errorSleepMs;
      try {
        ms = await round();
      } catch (error) {
        options.onError(error);
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
