import { FileRejected } from '../errors';

/** Bytes past the end of the audio that are let through (a final pad byte, a cut last frame, an encoder's filler). */
export const TRAILING_TOLERANCE = 512;

/**
 * Most bytes a sound may spend on metadata (tags, LIST and other chunks): a click sound is sound, and a
 * container is no hiding place for a page or an image.
 */
export const MAX_METADATA_BYTES = 64 * 1024;

export type ContainerName = 'MP3' | 'OGG' | 'WAV';

/** A file that starts like a sound but whose structure does not hold; `problem` is for logs and tests. */
export function soundInvalid(format: ContainerName, problem: string): FileRejected {
  return new FileRejected('sound_invalid', { format }, [problem]);
}
