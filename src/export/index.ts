// The export stream: line format, SQL sinks and the exporter loop.
export { EXPORT_EVENT_TYPES, toExportLine, toNdjson, nextCursor, type ExportLine } from './format.js';
export { openExportSink, type ExportSink } from './sink.js';
export { createExporter, type Exporter, type ExporterOptions } from './exporter.js';
