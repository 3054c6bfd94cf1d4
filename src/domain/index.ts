// The domain model: pure types and zod schemas shared by every stage, with no I/O.
export { FAILURE_CODES, FailureCodeSchema, type FailureCode } from './failure-code.js';
export {
  assertReplayable,
  ReplayRefusedError,
  replayChanges,
  replayVerdict,
  type ReplayableStatus,
  type ReplayChanges,
  type ReplayOptions,
  type ReplayVerdict,
} from './replay.js';
