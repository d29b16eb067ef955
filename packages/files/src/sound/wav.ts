import { MAX_METADATA_BYTES, soundInvalid, TRAILING_TOLERANCE } from './limits';

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;
/** The KSDATAFORMAT_SUBTYPE GUID after its first two bytes (which hold the format tag). */
const SUBTYPE_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');

interface Format {
  blockAlign: number;
}

const fail = (problem: string) => soundInvalid('WAV', problem);

function readFormat(body: Buffer): Format {
  if (body.length < 16) throw fail('fmt chunk shorter than 16 bytes');
  let tag = body.readUInt16LE(0);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const byteRate = body.readUInt32LE(8);
  const blockAlign = body.readUInt16LE(12);
  const bits = body.readUInt16LE(14);
  if (tag === EXTENSIBLE) {
    if (body.length < 40 || body.readUInt16LE(16) < 22) throw fail('extensible fmt chunk too short');
    if (!body.subarray(26, 40).equals(SUBTYPE_TAIL)) throw fail('unknown extensible subformat');
    tag = body.readUInt16LE(24);
  }
  const bitsAllowed = tag === PCM ? [8, 16, 24, 32] : tag === IEEE_FLOAT ? [32, 64] : [];
  if (!bitsAllowed.length) throw fail(`audio format ${tag} is neither PCM nor IEEE float`);
  if (!bitsAllowed.includes(bits)) throw fail(`${bits} bits per sample`);
  if (channels < 1 || channels > 8) throw fail(`${channels} channels`);
  if (sampleRate < 1000 || sampleRate > 384_000) throw fail(`sample rate ${sampleRate}`);
  if (blockAlign !== (channels * bits) / 8) throw fail('block align does not match channels and bits');
  if (byteRate !== sampleRate * blockAlign) throw fail('byte rate does not match sample rate and block align');
  return { blockAlign };
}

/**
 * A RIFF/WAVE file whose chunks add up: the RIFF size is the file's (within the tolerance), every chunk
 * fits, one valid PCM or float `fmt ` chunk comes before one non-empty `data` chunk of whole frames,
 * and other chunks stay small.
 */
export function checkWav(bytes: Buffer): void {
  if (bytes.length < 12) throw fail('shorter than a RIFF header');
  const end = 8 + bytes.readUInt32LE(4);
  if (end > bytes.length) throw fail('the RIFF header gives more bytes than the file has');
  if (bytes.length - end > TRAILING_TOLERANCE) throw fail(`${bytes.length - end} bytes after the RIFF chunk`);
  let format: Format | undefined;
  let dataBytes: number | undefined;
  let otherBytes = 0;
  let offset = 12;
  while (offset + 8 <= end) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const bodyEnd = offset + 8 + size;
    if (!/^[\x20-\x7e]{4}$/.test(id)) throw fail('a chunk id that is not text');
    // The last chunk's pad byte is often left out.
    if (bodyEnd > end) throw fail(`chunk "${id}" runs past the end of the RIFF chunk`);
    if (id === 'fmt ') {
      if (format) throw fail('two fmt chunks');
      format = readFormat(bytes.subarray(offset + 8, bodyEnd));
    } else if (id === 'data') {
      if (!format) throw fail('data chunk before the fmt chunk');
      if (dataBytes !== undefined) throw fail('two data chunks');
      if (size === 0 || size % format.blockAlign !== 0) throw fail('data chunk is not a whole number of frames');
      dataBytes = size;
    } else {
      otherBytes += 8 + size;
    }
    offset = bodyEnd + (size & 1);
  }
  if (offset < end) throw fail('bytes left in the RIFF chunk that are no chunk');
  if (!format) throw fail('no fmt chunk');
  if (dataBytes === undefined) throw fail('no data chunk');
  if (otherBytes > MAX_METADATA_BYTES) throw fail(`${otherBytes} bytes of chunks other than fmt and data`);
}
