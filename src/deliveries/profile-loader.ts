// Profiles for the sends the worker starts together (a claim's, or a hand-off's): every send asks
// for its recipient in the same turn of the event loop, and the lot is read with one statement
// instead of one per send: on SQLite each better-sqlite3 call costs about 5 µs before it reads a
// row, on PostgreSQL each is a round trip.
import type { Profile } from '../domain/index.js';
import type { ProfileReader } from '../store/index.js';

export type ProfileLoader = (externalId: string) => Promise<Profile | undefined>;

interface Waiter {
  resolve(profile: Profile | undefined): void;
  reject(error: unknown): void;
}

export function createProfileLoader(store: Pick<ProfileReader, 'getProfiles'>): ProfileLoader {
  let waiting: Map<string, Waiter[]> | undefined;

  async function read(batch: Map<string, Waiter[]>): Promise<void> {
    try {
      const profiles = await store.getProfiles([...batch.keys()]);
      for (const [externalId, waiters] of batch) for (const waiter of waiters) waiter.resolve(profiles.get(externalId));
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  return (externalId) =>
    new Promise((resolve, reject) => {
      if (!waiting) {
        const batch = (waiting = new Map());
        // Read after the caller's synchronous loop has asked for every send it starts.
        queueMicrotask(() => {
          waiting = undefined;
          void read(batch);
        });
      }
      let waiters = waiting.get(externalId);
      if (!waiters) waiting.set(externalId, (waiters = []));
      waiters.push({ resolve, reject });
    });
}
