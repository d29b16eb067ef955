import sharp from 'sharp';
import { FileRejected } from './errors';

export interface ImageInfo {
  width: number;
  height: number;
}

export interface PreviewResult extends ImageInfo {
  /** WebP bytes converted from a PNG or JPEG; absent when the input already was a WebP (stored as is). */
  converted?: Buffer;
}

export interface ImageLimits {
  /** Largest width and height accepted, in pixels (at most 16383, WebP's own limit). */
  maxDimension: number;
}

type ImageFormat = 'webp' | 'png' | 'jpeg';

/** The largest width or height a WebP can have. */
const WEBP_MAX_DIMENSION = 16383;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffImage(head: Buffer): ImageFormat | null {
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  return null;
}

function isPixelLimitError(error: unknown): boolean {
  return error instanceof Error && /pixel limit/i.test(error.message);
}

/**
 * A preview: a WebP (checked by decoding it) is kept as is; a PNG or JPEG is converted to WebP (EXIF
 * orientation applied, metadata dropped). Dimensions are read from the header and refused past
 * `maxDimension` before any decoding, and sharp's `limitInputPixels` refuses to decode anything larger
 * (a decompression bomb cannot make it allocate more than maxDimension² pixels).
 */
export async function inspectImage(image: Buffer, limits: ImageLimits): Promise<PreviewResult> {
  const format = sniffImage(image);
  if (!format) throw new FileRejected('not_webp');
  const max = Math.min(limits.maxDimension, WEBP_MAX_DIMENSION);
  const options = { limitInputPixels: max * max, failOn: 'warning' as const };
  let metadata;
  try {
    // Reads the header only (no pixels), so without the pixel limit: the dimensions are checked below.
    metadata = await sharp(image, { limitInputPixels: false }).metadata();
  } catch {
    throw new FileRejected('image_invalid');
  }
  if (metadata.format !== format) throw new FileRejected('image_invalid');
  const { width, height } = metadata;
  if (!width || !height) throw new FileRejected('image_invalid');
  const [shownWidth, shownHeight] = (metadata.orientation ?? 1) >= 5 ? [height, width] : [width, height];
  if (width > max || height > max) throw new FileRejected('image_too_large', { width: shownWidth, height: shownHeight, max });
  try {
    if (format === 'webp') {
      // Decode the whole bitstream (at a small output size) to prove it is a real, undamaged WebP.
      await sharp(image, options).resize(64, 64, { fit: 'inside' }).raw().toBuffer();
      return { width, height };
    }
    const converted = await sharp(image, options).rotate().webp({ quality: 85, alphaQuality: 100, effort: 4 }).toBuffer();
    return { width: shownWidth, height: shownHeight, converted };
  } catch (error) {
    if (isPixelLimitError(error)) throw new FileRejected('image_too_large', { width: shownWidth, height: shownHeight, max });
    throw new FileRejected('image_invalid');
  }
}
