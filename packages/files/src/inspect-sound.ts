import { FileRejected } from './errors';

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

export function inspectSound(head: Buffer): SoundFormat {
  const format = sniffSound(head);
  if (!format) throw new FileRejected('not_audio');
  return format;
}
