import { MAX_METADATA_BYTES, soundInvalid, TRAILING_TOLERANCE } from './limits';

type Version = 1 | 2 | 2.5;

interface FrameHeader {
  version: Version;
  layer: 1 | 2 | 3;
  sampleRate: number;
  length: number;
}

// Bit rates in kbit/s by bit-rate index 1..14 (0 is "free format", 15 is invalid).
const BITRATES = {
  v1l1: [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<Version, number[]> = {
  1: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  2.5: [11025, 12000, 8000],
};

const fail = (problem: string) => soundInvalid('MP3', problem);

/** The MPEG audio frame header at `offset`, or null where there is none (free-format frames included). */
function frameAt(bytes: Buffer, offset: number): FrameHeader | null {
  if (offset + 4 > bytes.length) return null;
  const [b0, b1, b2, b3] = [bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!];
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  if ((b3 & 3) === 2) return null; // reserved emphasis
  const version: Version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const table =
    version === 1
      ? layer === 1
        ? BITRATES.v1l1
        : layer === 2
          ? BITRATES.v1l2
          : BITRATES.v1l3
      : layer === 1
        ? BITRATES.v2l1
        : BITRATES.v2l23;
  const bitrate = table[bitrateIndex - 1]! * 1000;
  const sampleRate = SAMPLE_RATES[version][rateIndex]!;
  const padding = (b2 >> 1) & 1;
  const length =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((layer === 3 && version !== 1 ? 72 : 144) * bitrate) / sampleRate) + padding;
  return { version, layer, sampleRate, length };
}

/** The size of the ID3v2 tag at the start (header, body and footer), or 0. */
function id3v2Size(bytes: Buffer): number {
  if (bytes.length < 10 || bytes.toString('latin1', 0, 3) !== 'ID3') return 0;
  const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  return 10 + size + (bytes[5]! & 0x10 ? 10 : 0);
}

/** Where the audio ends: before an ID3v1 tag and an APEv2 tag at the end of the file, if there are. */
function audioEnd(bytes: Buffer): number {
  let end = bytes.length;
  if (end >= 128 && bytes.toString('latin1', end - 128, end - 125) === 'TAG') end -= 128;
  if (end >= 32 && bytes.toString('latin1', end - 32, end - 24) === 'APETAGEX') {
    const size = bytes.readUInt32LE(end - 20); // the items and this footer
    const hasHeader = (bytes.readUInt32LE(end - 12) & 0x8000_0000) !== 0;
    end -= size + (hasHeader ? 32 : 0);
    if (end < 0) throw fail('an APE tag larger than the file');
  }
  return end;
}

/**
 * MPEG audio (layer I, II or III) from the first frame to the end: after an optional ID3v2 tag (and a
 * little padding), one frame follows the other, all of the same version, layer and sample rate, up to
 * optional ID3v1/APE tags at the end, with no more than the tolerance left over.
 */
export function checkMp3(bytes: Buffer): void {
  const tag = id3v2Size(bytes);
  if (tag > bytes.length) throw fail('the ID3v2 tag is larger than the file');
  const end = audioEnd(bytes);
  let offset = tag;
  while (offset < end && offset - tag < TRAILING_TOLERANCE && bytes[offset] === 0) offset += 1;
  let first: FrameHeader | undefined;
  let frames = 0;
  for (let frame = frameAt(bytes, offset); frame && offset + frame.length <= end; frame = frameAt(bytes, offset)) {
    first ??= frame;
    if (frame.version !== first.version || frame.layer !== first.layer || frame.sampleRate !== first.sampleRate) {
      throw fail(`frame at byte ${offset} belongs to another stream`);
    }
    frames += 1;
    offset += frame.length;
  }
  if (!frames) throw fail('no MPEG audio frame where the audio should start');
  if (end - offset > TRAILING_TOLERANCE) throw fail(`${end - offset} bytes after the last frame that are no frame`);
  if (tag + (bytes.length - end) > MAX_METADATA_BYTES) throw fail('more tags than the limit allows');
}
