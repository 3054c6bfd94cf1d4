// A background round repeated until stopped: the exporter and the decay scheduler run this way.
// `stop` wakes a sleeping loop and waits for the round in progress, so shutdown is prompt and clean.

export interface BackgroundLoop {
  start(): void;
  stop(): Promise<void>;
}

/** The first sleep after a failed round; it doubles with each failure in a row, up to `errorSleepMs`. */
const FIRST_ERROR_SLEEP_MS = 500;

/**
 * Runs `round` and sleeps the milliseconds it returns; a failed round is reported to `onError`
 * and followed by a sleep that starts short and doubles up to `errorSleepMs`, so a broken
 * dependency (a database restarting) is retried without being spun on, and work resumes soon
 * after it is back.
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
    let failures = 0;
    while (running) {
      let ms: number;
      try {
        ms = await round();
        failures = 0;
      } catch (error) {
        options.onError(error);
        ms = Math.min(options.errorSleepMs, FIRST_ERROR_SLEEP_MS * 2 ** Math.min(failures++, 16));
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
