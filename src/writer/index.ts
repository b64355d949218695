/** Public surface of the writer stage, for the commands. */
export { writePlan, type WriteOptions, type WriteResult, type WriteStatus } from "./write.js";
export {
  ACTION_KINDS,
  compareWithDisk,
  contentToWrite,
  countActions,
  nextLock,
  writesContent,
  type ActionCounts,
  type ActionKind,
  type CompareOptions,
  type Comparison,
  type ConflictReason,
  type DiskSnapshot,
  type FileAction,
} from "./compare.js";
export { diffAction, diffActions, unifiedDiff, DEFAULT_DIFF_KINDS, type DiffOptions } from "./diff.js";
export { LOCK_PATH, emptyLock, parseLock, readLock, serialiseLock, sha256, type Lock, type LockEntry, type Ownership } from "./lock.js";
export { JOURNAL_PATH, type RecoveryReport } from "./journal.js";
export { BASE_DIR, basePath } from "./base.js";
export { CONFLICT_MARKERS, hasConflictMarkers, mergeThreeWay, type MergeOutcome } from "./merge.js";
export * from "./errors.js";
export { STAMP_PATH, answerFromStamp, readStamp, recordStamp, stampInputs, treeFingerprint, type Stamp, type StampEntry } from "./stamp.js";
