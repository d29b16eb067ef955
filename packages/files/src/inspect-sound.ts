import { parseBuffer } from 'music-metadata';
import { FileRejected } from './errors';
import { soundInvalid, type ContainerName } from './sound/limits';
import { checkMp3 } from './sound/mp3';
import { checkOgg } from './sound/ogg';
import { checkWav } from './sound/wav';

export type SoundFormat = 'mp3' | 'ogg' | 'wav';

export const SOUND_TYPES: Record<SoundFormat, string> = { mp3: 'audio/mpeg', ogg: 'audio/ogg', wav: 'audio/wav' };

/** Bytes needed by `sniffSound`. */
export const SOUND_HEAD_BYTES = 12;

function isId3(head: Buffer): boolean {
  // "ID3", major version 2 to 4, revision, flags, then a 28-bit "syncsafe" size (high bit of each byte clear).
  return (
    head.length >= 10 &&
    head.toString('latin1', 0, 3) === 'ID3' &&
    head[3]! >= 2 &&
    head[3]! <= 4 &&
    head[4] !== 0xff &&
    [6, 7, 8, 9].every((i) => head[i]! < 0x80)
  );
}

function isMpegFrame(head: Buffer): boolean {
  if (head.length < 4 || head[0] !== 0xff || (head[1]! & 0xe0) !== 0xe0) return false; // 11-bit frame sync
  const version = (head[1]! >> 3) & 0b11; // 01 is reserved
  const layer = (head[1]! >> 1) & 0b11; // 00 is reserved (and is what AAC's ADTS has)
  const bitrate = head[2]! >> 4; // 1111 is invalid
  const sampleRate = (head[2]! >> 2) & 0b11; // 11 is reserved
  return version !== 0b01 && layer !== 0b00 && bitrate !== 0b1111 && sampleRate !== 0b11;
}

/** MP3 (an ID3v2 tag or an MPEG audio frame header), OGG (`OggS`, version 0) or WAV (`RIFF….WAVE`), by magic bytes. */
export function sniffSound(head: Buffer): SoundFormat | null {
  if (isId3(head) || isMpegFrame(head)) return 'mp3';
  if (head.length >= 5 && head.toString('latin1', 0, 4) === 'OggS' && head[4] === 0) return 'ogg';
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  return null;
}

export interface SoundInfo {
  format: SoundFormat;
  /** Seconds of audio, as music-metadata reads them from the stream. */
  durationSeconds: number;
  codec: string;
  sampleRate: number;
  channels: number;
}

const CONTAINERS: Record<SoundFormat, { name: ContainerName; check(bytes: Buffer): void; container: RegExp }> = {
  mp3: { name: 'MP3', check: checkMp3, container: /^MPEG$/ },
  ogg: { name: 'OGG', check: checkOgg, container: /^Ogg$/ },
  wav: { name: 'WAV', check: checkWav, container: /^WAVE$/ },
};

/**
 * A sound, decoded rather than sniffed: the magic bytes pick the format (not_audio when none fits), the
 * container is walked from the first byte to the last by our own strict reader (sound_invalid when its
 * parts do not add up, or when more than a few bytes follow the audio), and music-metadata, an
 * independent reader, must agree on the container and find a stream with a duration. The whole file is
 * in memory: it is at most the sound limit (16 MiB by default), checked before reading.
 */
export async function inspectSound(bytes: Buffer): Promise<SoundInfo> {
  const format = sniffSound(bytes.subarray(0, SOUND_HEAD_BYTES));
  if (!format) throw new FileRejected('not_audio');
  const container = CONTAINERS[format];
  container.check(bytes);
  let parsed;
  try {
    parsed = await parseBuffer(
      bytes,
      { mimeType: SOUND_TYPES[format], size: bytes.length },
      { duration: true, skipCovers: true, skipPostHeaders: true },
    );
  } catch (error) {
    throw soundInvalid(container.name, `music-metadata: ${(error as Error).message}`);
  }
  const { container: found = '', codec = '', duration, sampleRate, numberOfChannels } = parsed.format;
  if (!container.container.test(found))
    throw soundInvalid(container.name, `music-metadata read a ${found || 'unknown'} container`);
  if (!duration || !Number.isFinite(duration) || !sampleRate || !numberOfChannels) {
    throw soundInvalid(container.name, 'music-metadata found no audio stream with a duration');
  }
  return { format, durationSeconds: duration, codec, sampleRate, channels: numberOfChannels };
}
