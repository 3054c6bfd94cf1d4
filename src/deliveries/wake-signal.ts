// A sleep that a wake() cuts short, and that does not start at all if a wake() came since the
// last arm(): the worker's loop must not miss work enqueued while it was busy.
export interface WakeSignal {
  /** Starts a new round: wakes from before this one no longer count. */
  arm(): void;
  wake(): void;
  sleep(ms: number): Promise<void>;
}

export function createWakeSignal(): WakeSignal {
  let woken = false;
  let wakeUp: (() => void) | undefined;
  return {
    arm() {
      woken = false;
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    sleep(ms) {
      if (woken) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });
    },
  };
}
