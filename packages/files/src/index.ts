export {
  type FileStorage,
  type ByteRange,
  type PutOptions,
  type StoredObject,
  type OpenedObject,
  type ObjectStat,
  type ContentAddressed,
  isValidKey,
  assertValidKey,
  contentKey,
  sha256OfContentKey,
  putContentAddressed,
  MAX_KEY_LENGTH,
} from './storage';
export { FsStorage } from './fs-storage';
export { S3Storage, type S3StorageOptions } from './s3-storage';
export { createStorage, type StorageConfig } from './create-storage';
export { FileRejected, StorageError, isNotFound, REJECT_REASONS, type RejectReason, type StorageErrorCode } from './errors';
export { fileMessages, translateFile, formatBytes, type FileMessageKey } from './messages';
export {
  inspectFile,
  isFileKind,
  FILE_KINDS,
  DEFAULT_LIMITS,
  DEFAULT_MAX_IMAGE_DIMENSION,
  type FileKind,
  type InspectedFile,
  type InspectOptions,
} from './inspect';
export type { ModelInfo, Vec3 } from './inspect-model';
export { sniffSound, type SoundFormat, type SoundInfo } from './inspect-sound';
export { sniffImage } from './inspect-image';
export { uploadRouter, RAW_CONTENT_TYPES, type UploadRouterOptions, type StoredFile, type UploadAnswer } from './http/upload';
export { InspectionSlots, type InspectionSlotsOptions } from './http/inspection-slots';
export { serveRouter, IMMUTABLE_CACHE_CONTROL, type ServeRouterOptions, type ResolvedFile } from './http/serve';
export { parseRange, noneMatch } from './http/conditions';
export { signUrl, verifySignedUrl, type SignedUrlCheck } from './signed-url';
