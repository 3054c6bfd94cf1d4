export {
  TrackRequestSchema,
  UserAttributesSchema,
  EventSchema,
  PurchaseSchema,
  AttributeValueSchema,
  TimeSchema,
  TrackResponseSchema,
  TrackErrorSchema,
  MAX_OBJECTS_PER_KIND,
  STRING_PROFILE_FIELDS,
  parseBrazeTime,
  ignoredTrackFields,
  TRACK_FIELDS,
  isOperationObject,
  type TrackRequest,
  type TrackResponse,
  type TrackError,
} from './schema.js';
export { toTrackBatch, trackResponse, type ParsedTrack } from './to-batch.js';
export { attributeValueToOps, attributesToOps } from '../profiles/index.js';
export { formatZodIssues, formatPath, type FieldIssue } from '../domain/index.js';
export * from './sync/index.js';
