// Adaptive per-host concurrency (AIMD), pure: a 429 halves the number of requests a host gets at
// once, each accepted request adds 1/limit back (about +1 per round of requests), up to the
// configured ceiling (LIQUIDHOOK_MAX_PER_HOST). A host that asks to slow down is slowed down
// rather than paused: its circuit breaker never sees the 429s.

export interface AdaptiveLimit {
  /** Fractional so that additive increase can grow it by 1/limit per success. */
  limit: number;
  /** Epoch ms of the last decrease; 429s to requests sent before it were already answered by it. */
  decreasedAt: number;
}

const DECREASE_FACTOR = 0.5;

export function initialLimit(ceiling: number): AdaptiveLimit {
  return { limit: ceiling, decreasedAt: Number.NEGATIVE_INFINITY };
}

/** Requests the host may have in flight now. */
export function concurrencyOf(state: AdaptiveLimit): number {
  return Math.max(1, Math.floor(state.limit));
}

/**
 * A 429 to a request that left at `sentAt`. One decrease per round: requests already in flight
 * when the limit dropped were sent under the old limit and say nothing new.
 */
export function throttled(state: AdaptiveLimit, sentAt: number, now: number): AdaptiveLimit {
  if (sentAt <= state.decreasedAt) return state;
  return { limit: Math.max(1, state.limit * DECREASE_FACTOR), decreasedAt: now };
}

/** A request the host accepted (2xx). */
export function accepted(state: AdaptiveLimit, ceiling: number): AdaptiveLimit {
  if (state.limit >= ceiling) return state.limit === ceiling ? state : { ...state, limit: ceiling };
  return { ...state, limit: Math.min(ceiling, state.limit + 1 / state.limit) };
}
