import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable, Transform } from 'node:stream';
import { fileNotFound } from './errors';
import {
  assertValidKey,
  clampRange,
  type ByteRange,
  type FileStorage,
  type ObjectStat,
  type OpenedObject,
  type PutOptions,
  type StoredObject,
  existsByStat,
} from './storage';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible servers (MinIO, Ceph, s3rver…); omit for AWS. */
  endpoint?: string;
  /** Path-style URLs (http://host/bucket/key), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Omitted: the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Prepended to every key, for example `keylab/`. */
  prefix?: string;
  /** Streams of unknown length are sent as multipart uploads of this part size (at least 5 MiB). */
  partSize?: number;
  /** Use this client instead of making one (the options above other than bucket and prefix are then ignored). */
  client?: S3Client;
}

const NOT_FOUND_NAMES = new Set(['NotFound', 'NoSuchKey']);

function isS3NotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) return NOT_FOUND_NAMES.has(error.name) || error.$metadata.httpStatusCode === 404;
  return error instanceof Error && NOT_FOUND_NAMES.has(error.name);
}

function isS3InvalidRange(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'InvalidRange' || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 416))
  );
}

/** Objects in one S3 (or S3-compatible) bucket. */
export class S3Storage implements FileStorage {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.partSize = Math.max(options.partSize ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
    this.client =
      options.client ??
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle ?? false,
        credentials: options.credentials,
      });
  }

  private objectKey(key: string): string {
    assertValidKey(key);
    return this.prefix + key;
  }

  async put(key: string, source: Readable | Buffer, options: PutOptions): Promise<StoredObject> {
    const Key = this.objectKey(key);
    if (Buffer.isBuffer(source)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: source,
          ContentLength: source.length,
          ContentType: options.contentType,
        }),
      );
      return { key, byteSize: source.length };
    }
    let byteSize = 0;
    const counted = source.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          byteSize += chunk.length;
          callback(null, chunk);
        },
      }),
    );
    source.once('error', (error) => counted.destroy(error));
    // One PUT when the stream fits in a part, else a multipart upload (aborted on failure).
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: counted, ContentType: options.contentType },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
    return { key, byteSize };
  }

  async open(key: string, range?: ByteRange): Promise<OpenedObject> {
    const Key = this.objectKey(key);
    if (range) clampRange(key, Number.MAX_SAFE_INTEGER, range); // reject a malformed range before asking
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      const body = answer.Body as Readable | undefined;
      const stream = body ?? Readable.from([]);
      const length = answer.ContentLength ?? 0;
      const total = /\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1];
      const byteSize = total !== undefined ? Number(total) : length;
      const start = range && answer.ContentRange ? range.start : 0;
      return { stream, byteSize, range: { start, end: start + length - 1 } };
    } catch (error) {
      if (isS3NotFound(error)) throw fileNotFound(key);
      if (isS3InvalidRange(error)) {
        const { byteSize } = await this.stat(key);
        clampRange(key, byteSize, range); // throws RANGE_NOT_SATISFIABLE
      }
      throw error;
    }
  }

  async stat(key: string): Promise<ObjectStat> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { byteSize: head.ContentLength ?? 0, contentType: head.ContentType, modifiedAt: head.LastModified ?? new Date(0) };
    } catch (error) {
      if (isS3NotFound(error)) throw fileNotFound(key);
      throw error;
    }
  }

  exists(key: string): Promise<boolean> {
    return existsByStat(this, key);
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }
}
