import { FileRejected } from './errors';
import { inspectImage, sniffImage } from './inspect-image';
import { checkGlbHeader, inspectGlb, type ModelInfo } from './inspect-model';
import { inspectSound, SOUND_TYPES, type SoundInfo } from './inspect-sound';
import { fileSource, sha256Hex } from './source';

export const FILE_KINDS = ['model', 'preview', 'sound'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export function isFileKind(value: unknown): value is FileKind {
  return typeof value === 'string' && (FILE_KINDS as readonly string[]).includes(value);
}

/** Largest upload of each kind, in bytes (the limit of the input: a PNG preview before conversion). */
export const DEFAULT_LIMITS: Record<FileKind, number> = {
  model: 64 * 1024 * 1024,
  preview: 16 * 1024 * 1024,
  sound: 16 * 1024 * 1024,
};

/** Largest preview width and height, in pixels. */
export const DEFAULT_MAX_IMAGE_DIMENSION = 4096;

export interface InspectOptions {
  /** Largest input accepted, in bytes (default: DEFAULT_LIMITS of the kind). */
  maxBytes?: number;
  /** Largest preview width and height (default 4096). */
  maxImageDimension?: number;
}

/** What a file is, as the catalogue records it. For a converted preview, everything describes the WebP. */
export interface InspectedFile {
  kind: FileKind;
  contentType: string;
  byteSize: number;
  /** Lowercase hex SHA-256 of the bytes to store. */
  sha256: string;
  /** Without the dot: glb, webp, mp3, ogg, wav. */
  extension: string;
  model?: ModelInfo;
  image?: { width: number; height: number };
  sound?: Omit<SoundInfo, 'format'>;
  /** The bytes to store when they differ from the input (a PNG or JPEG preview converted to WebP). */
  converted?: Buffer;
}

/**
 * Checks that a file (a path or bytes) is what its kind needs, and describes it; throws FileRejected
 * (with a stable `reason`) otherwise. Models are read whole (the validator and the glTF reader need the
 * bytes), previews and sounds too (at most 16 MiB each by default).
 */
export async function inspectFile(input: string | Buffer, kind: FileKind, options: InspectOptions = {}): Promise<InspectedFile> {
  const source = await fileSource(input);
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS[kind];
  if (source.byteSize === 0) throw new FileRejected('empty');
  if (source.byteSize > maxBytes) throw new FileRejected('too_large', { limit: maxBytes });
  switch (kind) {
    case 'model': {
      checkGlbHeader(await source.head(12), source.byteSize); // before reading a file that is no GLB
      const bytes = await source.bytes();
      const model = await inspectGlb(bytes);
      return {
        kind,
        contentType: 'model/gltf-binary',
        byteSize: bytes.length,
        sha256: sha256Hex(bytes),
        extension: 'glb',
        model,
      };
    }
    case 'preview': {
      if (!sniffImage(await source.head(16))) throw new FileRejected('not_webp');
      const bytes = await source.bytes();
      const { converted, width, height } = await inspectImage(bytes, {
        maxDimension: options.maxImageDimension ?? DEFAULT_MAX_IMAGE_DIMENSION,
      });
      const stored = converted ?? bytes;
      return {
        kind,
        contentType: 'image/webp',
        byteSize: stored.length,
        sha256: sha256Hex(stored),
        extension: 'webp',
        image: { width, height },
        ...(converted ? { converted } : {}),
      };
    }
    case 'sound': {
      const bytes = await source.bytes();
      const { format, ...sound } = await inspectSound(bytes);
      return {
        kind,
        contentType: SOUND_TYPES[format],
        byteSize: bytes.length,
        sha256: sha256Hex(bytes),
        extension: format,
        sound,
      };
    }
  }
}
