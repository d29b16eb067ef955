/** Small real-looking sound files, built from their formats' headers. */

/** A real 16-bit mono PCM WAV of `samples` samples of a square wave. */
export function wav(samples = 800): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(i % 40 < 20 ? 8000 : -8000, i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(16000, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A RIFF/WAVE file of the given chunks, each padded to an even length, with a matching RIFF size. */
export function riff(chunks: [string, Buffer][]): Buffer {
  const parts = chunks.map(([id, body]) => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'latin1');
    header.writeUInt32LE(body.length, 4);
    return Buffer.concat([header, body, Buffer.alloc(body.length & 1)]);
  });
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, ...parts]);
}

/** MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz: 417 bytes each), optionally after an ID3v2.3 tag. */
export function mp3({ id3 = false, frames = 4 } = {}): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  const parts = Array.from({ length: frames }, () => frame);
  if (id3) {
    const title = Buffer.concat([
      Buffer.from('TIT2', 'latin1'),
      Buffer.from([0, 0, 0, 7, 0, 0, 0]),
      Buffer.from('MX Red', 'latin1'),
    ]);
    const size = title.length;
    const tag = Buffer.concat([
      Buffer.from('ID3', 'latin1'),
      Buffer.from([3, 0, 0, 0, 0, (size >> 7) & 0x7f, size & 0x7f]),
      title,
    ]);
    parts.unshift(tag);
  }
  return Buffer.concat(parts);
}

/** Ogg's page checksum (CRC-32, polynomial 0x04c11db7, not reflected), over the page with its CRC field zero. */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc;
}

/** One Ogg page holding whole packets. */
export function oggPage(
  packets: Buffer[],
  options: { sequence: number; granule: bigint; flags?: number; serial?: number },
): Buffer {
  const lacing = packets.flatMap((packet) => [...Array(Math.floor(packet.length / 255)).fill(255), packet.length % 255]);
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = options.flags ?? 0;
  header.writeBigInt64LE(options.granule, 6);
  header.writeUInt32LE(options.serial ?? 0x1234, 14);
  header.writeUInt32LE(options.sequence, 18);
  header[26] = lacing.length;
  const page = Buffer.concat([header, Buffer.from(lacing), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

const FIRST = 0x02;
const LAST = 0x04;

/** An Ogg Vorbis stream: identification, comment and setup headers, then a page of audio packets (0.1 s at 8 kHz). */
export function ogg(): Buffer {
  const id = Buffer.alloc(30);
  id.write('\x01vorbis', 0, 'latin1');
  id[11] = 1; // channels
  id.writeUInt32LE(8000, 12); // sample rate
  id[28] = 0x86; // block sizes 64 and 256
  id[29] = 1; // framing
  const comment = Buffer.concat([Buffer.from('\x03vorbis', 'latin1'), Buffer.alloc(8), Buffer.from([1])]);
  const setup = Buffer.concat([Buffer.from('\x05vorbis', 'latin1'), Buffer.alloc(32, 0x42), Buffer.from([1])]);
  return Buffer.concat([
    oggPage([id], { sequence: 0, granule: 0n, flags: FIRST }),
    oggPage([comment, setup], { sequence: 1, granule: 0n }),
    oggPage([Buffer.alloc(40, 0x11), Buffer.alloc(40, 0x22)], { sequence: 2, granule: 800n, flags: LAST }),
  ]);
}

/** An Ogg Opus stream: OpusHead, OpusTags, then 1 s of 20 ms packets (TOC byte only, as silence). */
export function opus(): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12);
  const vendor = Buffer.from('keylab-test', 'latin1');
  const tags = Buffer.concat([Buffer.from('OpusTags', 'latin1'), Buffer.from([vendor.length, 0, 0, 0]), vendor, Buffer.alloc(4)]);
  const packets = Array.from({ length: 50 }, () => Buffer.from([0xf8]));
  return Buffer.concat([
    oggPage([head], { sequence: 0, granule: 0n, flags: FIRST }),
    oggPage([tags], { sequence: 1, granule: 0n }),
    oggPage(packets, { sequence: 2, granule: 312n + 48000n, flags: LAST }),
  ]);
}

/** AAC in ADTS frames: starts with a frame sync too, but is not MP3. */
export function adts(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), Buffer.alloc(64)]);
}
