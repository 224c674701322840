// Recordings: the JSON-lines file format (README "Recordings (file format)"), its writer, reader and listing.

export {
  FILE_RECORD_TYPES,
  MAX_LINE_BYTES,
  RECORDING_FORMAT,
  RECORDING_SUFFIX,
  RECORDING_VERSION,
  type RecordingHeader,
  type RecordingLine,
  type RecordingRecord,
} from "./format.ts";
export {
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_BYTES,
  RecordingWriter,
  type RecordingMeta,
  type RecordingWriterOptions,
} from "./writer.ts";
export { readRecording, readRecordingHeader, RecordingError } from "./reader.ts";
export { listRecordings } from "./list.ts";
export { labelSlug, recordingFileName } from "./file-name.ts";
