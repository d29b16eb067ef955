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

/** The first page header of an Ogg stream (beginning of stream), then a Vorbis identification packet. */
export function ogg(): Buffer {
  const page = Buffer.alloc(28);
  page.write('OggS', 0, 'latin1');
  page[4] = 0; // version
  page[5] = 0x02; // beginning of stream
  page.writeUInt32LE(0x1234, 14); // serial
  page[26] = 1; // one segment
  page[27] = 30;
  const packet = Buffer.concat([Buffer.from([1]), Buffer.from('vorbis', 'latin1'), Buffer.alloc(23)]);
  return Buffer.concat([page, packet]);
}

/** AAC in ADTS frames: starts with a frame sync too, but is not MP3. */
export function adts(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc]), Buffer.alloc(64)]);
}
