// Table sync: poll a SQL table or view by an updated_at watermark into profile updates.
export { SyncConfigSchema, ColumnMappingSchema, SyncSourceSchema, parseSyncConfig, SyncConfigError, COLUMN_TYPES, type SyncConfig, type SyncConfigInput } from './schema.js';
export { openSyncSource, openSqliteSource, openPostgresSource, type SyncSource, type SourceRow, type Watermark } from './source.js';
export { runSync, syncCursorName, type SyncReport, type RunSyncOptions } from './run.js';
export { SyncRegistry, newSyncId, type StoredSync } from './registry.js';
export { convertValue, rowOps, externalIdOf, RowRejected } from './convert.js';
