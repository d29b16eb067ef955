import { soundInvalid, TRAILING_TOLERANCE } from './limits';

const CONTINUED = 0x01;
const FIRST_PAGE = 0x02;
const LAST_PAGE = 0x04;
/** Header packets kept for checking: Vorbis has three, Opus two. */
const HEADER_PACKETS = 3;

const fail = (problem: string) => soundInvalid('OGG', problem);

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial value and final xor 0. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let r = n << 24;
  for (let i = 0; i < 8; i++) r = r & 0x8000_0000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

export function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    // The checksum field itself (bytes 22..25) counts as zeros.
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

function checkVorbis([id, comment, setup]: Buffer[]): void {
  if (id!.length !== 30 || id!.readUInt32LE(7) !== 0) throw fail('Vorbis identification header of a wrong size or version');
  const channels = id![11]!;
  const sampleRate = id!.readUInt32LE(12);
  const small = id![28]! & 0x0f;
  const large = id![28]! >> 4;
  if (!channels || !sampleRate) throw fail('Vorbis header without channels or sample rate');
  if (small < 6 || large > 13 || small > large) throw fail('Vorbis block sizes out of range');
  if (!(id![29]! & 1)) throw fail('Vorbis identification header without its framing bit');
  if (comment?.toString('latin1', 0, 7) !== '\x03vorbis') throw fail('no Vorbis comment header');
  if (setup?.toString('latin1', 0, 7) !== '\x05vorbis') throw fail('no Vorbis setup header');
}

function checkOpus([head, tags]: Buffer[]): number {
  if (head!.length < 19 || head![8]! >> 4 !== 0) throw fail('OpusHead of a wrong size or version');
  const channels = head![9]!;
  const family = head![18]!;
  if (!channels) throw fail('OpusHead without channels');
  if (family === 0 ? channels > 2 || head!.length !== 19 : head!.length < 21 + channels) {
    throw fail('OpusHead channel mapping does not match its channels');
  }
  if (tags?.toString('latin1', 0, 8) !== 'OpusTags') throw fail('no OpusTags header');
  return head!.readUInt16LE(10);
}

/**
 * One logical Ogg stream of Vorbis or Opus, page by page from the first byte: capture pattern, version
 * 0, known flags, a matching CRC, one serial number, pages in sequence, the identification header alone
 * on the first page followed by the codec's other headers, granule positions that never go back and end
 * past the headers, and nothing after the last page beyond the tolerance.
 */
export function checkOgg(bytes: Buffer): void {
  const packets: Buffer[] = [];
  /** The parts of the header packet being read; only whether a packet is open, once past the headers. */
  let packet: Buffer[] = [];
  let open = false;
  let serial = 0;
  let pages = 0;
  let granule = -1n;
  let ended = false;
  let offset = 0;
  while (offset + 27 <= bytes.length && bytes.toString('latin1', offset, offset + 4) === 'OggS') {
    if (ended) throw fail('pages after the last page of the stream');
    const flags = bytes[offset + 5]!;
    const segments = bytes[offset + 26]!;
    const bodyStart = offset + 27 + segments;
    if (bytes[offset + 4] !== 0 || flags & ~(CONTINUED | FIRST_PAGE | LAST_PAGE))
      throw fail('a page of an unknown version or flags');
    if (bodyStart > bytes.length) throw fail('a page cut off in its header');
    const lacing = bytes.subarray(offset + 27, bodyStart);
    const pageEnd = bodyStart + lacing.reduce((sum, value) => sum + value, 0);
    if (pageEnd > bytes.length) throw fail('a page cut off in its body');
    const page = bytes.subarray(offset, pageEnd);
    if (oggCrc(page) !== page.readUInt32LE(22)) throw fail(`page ${pages} fails its CRC`);
    if (pages === 0) {
      if (flags !== FIRST_PAGE) throw fail('the first page does not begin the stream');
      serial = page.readUInt32LE(14);
    } else if (flags & FIRST_PAGE || page.readUInt32LE(14) !== serial) {
      throw fail('more than one logical stream');
    }
    if (page.readUInt32LE(18) !== pages) throw fail('pages missing or out of order');
    if (Boolean(flags & CONTINUED) !== open) throw fail('a continued packet where none was open, or the reverse');
    const position = page.readBigInt64LE(6);
    if (position !== -1n) {
      if (position < granule) throw fail('granule position going back');
      granule = position;
    }
    let at = bodyStart;
    for (const value of lacing) {
      if (packets.length < HEADER_PACKETS) packet.push(bytes.subarray(at, at + value));
      at += value;
      open = value === 255;
      if (!open && packets.length < HEADER_PACKETS) {
        packets.push(Buffer.concat(packet));
        packet = [];
      }
    }
    if (pages === 0 && (packets.length !== 1 || open)) throw fail('the first page holds more than the identification header');
    ended = Boolean(flags & LAST_PAGE);
    pages += 1;
    offset = pageEnd;
  }
  if (!pages) throw fail('no Ogg page at the start');
  if (bytes.length - offset > TRAILING_TOLERANCE) throw fail(`${bytes.length - offset} bytes after the last page`);
  const id = packets[0]!;
  let audioStart = 0n;
  if (id.toString('latin1', 0, 7) === '\x01vorbis') checkVorbis(packets);
  else if (id.toString('latin1', 0, 8) === 'OpusHead') audioStart = BigInt(checkOpus(packets));
  else throw fail('neither a Vorbis nor an Opus stream');
  if (granule <= audioStart) throw fail('no audio after the headers');
}
