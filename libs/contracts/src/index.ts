export { SubjectSpace, SUBJECTS, REPLY_TO_HEADER, SUBJECT_PREFIX, type SubjectKey, type SubjectParams } from './subjects.map.js';
export { STREAMS, CONSUMERS, type StreamName, type ConsumerName } from './stream.registry.js';
export { ERROR_CODES, ERROR_HEADERS, type ErrorCode } from './error.codes.js';
export { Identifier, queryIdOf } from './identifiers.schema.js';
export { base64ByteLength, encodeTensor, decodeTensor } from './tensor.schema.js';
export {
  SloSchema,
  InferenceQuerySchema,
  DispatchedQuerySchema,
  InferenceReplySchema,
  type Slo,
  type InferenceQuery,
  type DispatchedQuery,
  type DropReason,
  type ErrorReply,
  type InferenceReply,
} from './query.schema.js';
export {
  QueryRecordSchema,
  RunRecordSchema,
  RunPartSchema,
  type RunPart,
  type TerminalStatus,
  type QueryRecord,
  type RunRecord,
  type RunStarted,
  type RunFinished,
  MetricFamilySchema,
  type MetricFamily,
  type RunHost,
  type DecisionRecord,
  HostUsageSchema,
  type HostUsage,
} from './record.schema.js';
export { ClusterHeartbeatSchema, type ClusterHeartbeat } from './heartbeat.schema.js';
export { RunClockSchema, type RunClock } from './run-clock.schema.js';
export { CONTRACTS, type RequestKey, type EventKey, type DurableKey, type MessageOf, type ReplyOf } from './contract.registry.js';
export { decodeMessage, encodeMessage, errorReplyOf } from './message.codec.js';
export { OutcomeFiguresSchema, RunInfoSchema, RunSummarySchema, type RunInfo, type RunSummary } from './report.schema.js';
export { DATA_FILES, DataFileError, readDataFile, jsonErrorPlace, type DataFileKind } from './data-file.reader.js';
