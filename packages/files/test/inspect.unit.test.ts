import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRejected, inspectFile, REJECT_REASONS, fileMessages, type FileKind, type RejectReason } from '@keylab/files';
import { bombPng, cubeGlb, jpeg, looseTriangleGlb, outOfRangeIndexGlb, patchUint32, png, webp } from './fixtures';
import { tempDir } from './helpers';
import { adts, mp3, ogg, oggPage, opus, riff, wav } from './sounds';

async function rejection(input: string | Buffer, kind: FileKind, options = {}): Promise<FileRejected> {
  const error = await inspectFile(input, kind, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FileRejected);
  return error as FileRejected;
}

const sha256 = /^[0-9a-f]{64}$/;
let cube: Buffer;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  cube = await cubeGlb({ translation: [10, 0, 0], scale: 2 });
  dir = await tempDir('inspect');
});
afterAll(() => dir.remove());

describe('models', () => {
  it('accepts a valid GLB (from a path too) and counts vertices, triangles and world bounds', async () => {
    const path = join(dir.path, 'cube.glb');
    await writeFile(path, cube);
    for (const input of [cube, path]) {
      const file = await inspectFile(input, 'model');
      expect(file).toMatchObject({ kind: 'model', contentType: 'model/gltf-binary', extension: 'glb', byteSize: cube.length });
      expect(file.sha256).toMatch(sha256);
      // A cube of half-size 1, scaled by 2 and moved 10 along x.
      expect(file.model).toEqual({ vertexCount: 8, triangleCount: 12, boundingBox: { min: [8, -2, -2], max: [12, 2, 2] } });
    }
  });

  it('counts a non-indexed triangle outside any scene, with its accessor bounds', async () => {
    const file = await inspectFile(await looseTriangleGlb(), 'model');
    expect(file.model).toEqual({ vertexCount: 3, triangleCount: 1, boundingBox: { min: [0, 0, 0], max: [2, 3, 0] } });
  });

  it('applies a node matrix (rotation of 90° about z) to the bounds', async () => {
    // Column-major: x -> y, y -> -x; then translate by (0, 0, 5).
    const glb = await cubeGlb({ matrix: [0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 1] });
    const file = await inspectFile(glb, 'model');
    expect(file.model?.boundingBox).toEqual({ min: [-1, -1, 4], max: [1, 1, 6] });
  });

  it.each<[string, () => Buffer | Promise<Buffer>, RejectReason]>([
    ['wrong magic', () => Buffer.from('PK\u0003\u0004 a zip, not a model'), 'not_glb'],
    ['a glTF JSON file', () => Buffer.from('{"asset":{"version":"2.0"}}'), 'not_glb'],
    ['glTF version 1', () => patchUint32(cube, 4, 1), 'glb_version'],
    ['a truncated GLB', () => cube.subarray(0, cube.length - 100), 'glb_length'],
    ['a header shorter than 12 bytes', () => cube.subarray(0, 8), 'glb_length'],
    ['a length header that lies', () => patchUint32(cube, 8, cube.length + 4), 'glb_length'],
    ['a chunk running past the end', () => patchUint32(cube, 12, 100_000), 'glb_chunks'],
    ['a BIN chunk first', () => patchUint32(cube, 16, 0x004e4942), 'glb_chunks'],
    ['an out-of-range index', outOfRangeIndexGlb, 'gltf_invalid'],
  ])('refuses %s (%s)', async (_name, make, reason) => {
    const error = await rejection(await make(), 'model');
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(400);
  });

  it("gives the validator's first messages for an invalid model, in both languages", async () => {
    const error = await rejection(await outOfRangeIndexGlb(), 'model');
    expect(error.details[0]).toMatch(/^ACCESSOR_INDEX_OOB at \/meshes\/0\/primitives\/0\/indices: /);
    expect(error.messageIn('en')).toMatch(/^The model is not valid glTF 2\.0: ACCESSOR_INDEX_OOB/);
    expect(error.messageIn('ru')).toMatch(/^Модель не соответствует glTF 2\.0: ACCESSOR_INDEX_OOB/);
  });

  it('tells the declared and the real length of a lying GLB', async () => {
    const error = await rejection(patchUint32(cube, 8, 5000), 'model');
    expect(error.messageIn('en')).toBe(
      `The model file is truncated or damaged: its header gives 5000 bytes, the file has ${cube.length}.`,
    );
  });

  it('refuses an empty file and one over the limit before reading it', async () => {
    expect((await rejection(Buffer.alloc(0), 'model')).reason).toBe('empty');
    const error = await rejection(cube, 'model', { maxBytes: 512 });
    expect(error.reason).toBe('too_large');
    expect(error.status).toBe(413);
    expect(error.messageIn('en')).toBe('The file is too large: at most 512 bytes is allowed.');
    expect((await rejection(cube, 'model', { maxBytes: 600 })).messageIn('ru')).toBe(
      'Файл слишком большой: допускается не более 600 байт.',
    );
  });
});

describe('previews', () => {
  it('keeps a WebP as it is', async () => {
    const image = await webp(320, 200);
    const file = await inspectFile(image, 'preview');
    expect(file).toMatchObject({
      contentType: 'image/webp',
      extension: 'webp',
      byteSize: image.length,
      image: { width: 320, height: 200 },
    });
    expect(file.converted).toBeUndefined();
  });

  it.each([
    ['PNG', png],
    ['JPEG', jpeg],
  ])('converts a %s to WebP and describes the WebP', async (_name, make) => {
    const image = await make(300, 150);
    const file = await inspectFile(image, 'preview');
    expect(file.converted).toBeInstanceOf(Buffer);
    const converted = file.converted!;
    expect(converted.toString('latin1', 0, 4)).toBe('RIFF');
    expect(converted.toString('latin1', 8, 12)).toBe('WEBP');
    expect(file).toMatchObject({ contentType: 'image/webp', extension: 'webp', byteSize: converted.length });
    expect(await sharp(converted).metadata()).toMatchObject({ format: 'webp', width: 300, height: 150 });
  });

  it('refuses a decompression bomb (a 20000×20000 PNG of 400 KB) from its header, without decoding it', async () => {
    const bomb = await bombPng(20_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const started = performance.now();
    const rss = process.memoryUsage().rss;
    const error = await rejection(bomb, 'preview');
    expect(error.reason).toBe('image_too_large');
    expect(error.messageIn('en')).toBe('The image is 20000×20000 pixels; at most 4096×4096 is allowed.');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses an image over a smaller configured size', async () => {
    const error = await rejection(await png(300, 20), 'preview', { maxImageDimension: 256 });
    expect(error.reason).toBe('image_too_large');
  });

  it.each<[string, () => Promise<Buffer> | Buffer, RejectReason]>([
    ['a GIF', () => Buffer.from('GIF89a\u0001\u0000\u0001\u0000'), 'not_webp'],
    ['a text file', () => Buffer.from('just some text, not a picture'), 'not_webp'],
    [
      'a WebP header with garbage',
      () => Buffer.concat([Buffer.from('RIFF\u0040\u0000\u0000\u0000WEBPVP8 ', 'latin1'), Buffer.alloc(52, 7)]),
      'image_invalid',
    ],
    ['a truncated PNG', async () => (await png(400, 400)).subarray(0, 60), 'image_invalid'],
    ['a truncated WebP', async () => (await webp(400, 400)).subarray(0, 40), 'image_invalid'],
  ])('refuses %s', async (_name, make, reason) => {
    expect((await rejection(await make(), 'preview')).reason).toBe(reason);
  });
});

describe('sounds', () => {
  it.each([
    ['an MP3 with an ID3 tag', () => mp3({ id3: true }), 'audio/mpeg', 'mp3'],
    ['an MP3 starting with a frame', () => mp3(), 'audio/mpeg', 'mp3'],
    ['an OGG', ogg, 'audio/ogg', 'ogg'],
    ['a WAV', () => wav(), 'audio/wav', 'wav'],
  ])('recognizes %s', async (_name, make, contentType, extension) => {
    const sound = make();
    const file = await inspectFile(sound, 'sound');
    expect(file).toMatchObject({ kind: 'sound', contentType, extension, byteSize: sound.length });
    expect(file.sha256).toMatch(sha256);
  });

  it('reads a sound from a path', async () => {
    const path = join(dir.path, 'click.wav');
    await writeFile(path, wav());
    expect(await inspectFile(path, 'sound')).toMatchObject({ contentType: 'audio/wav', byteSize: wav().length });
  });

  it.each([
    ['a text file', () => Buffer.from('This is not a sound, it is a text file.\n')],
    ['AAC in ADTS', adts],
    ['a WebP (RIFF but not WAVE)', () => Buffer.from('RIFF\u0010\u0000\u0000\u0000WEBPVP8 ', 'latin1')],
    ['a GLB', () => cube],
  ])('refuses %s', async (_name, make) => {
    const error = await rejection(make(), 'sound');
    expect(error.reason).toBe('not_audio');
    expect(error.messageIn('ru')).toBe('Звук должен быть файлом MP3, OGG или WAV.');
  });
});

describe('sounds are decoded, not sniffed', () => {
  const html = Buffer.from('<html><script>fetch("/graphql",{method:"POST",credentials:"include"})</script></html>');
  /** More than the tolerance for bytes after the audio. */
  const page = Buffer.concat(Array.from({ length: 10 }, () => html));
  const riffOf = (body: Buffer) =>
    Buffer.concat([riff([]).subarray(0, 4), Buffer.from(new Uint32Array([4 + body.length]).buffer), Buffer.from('WAVE'), body]);

  it.each([
    ['a WAV', () => wav(8000), 1, 'PCM'],
    ['an MP3', () => mp3({ frames: 38 }), (38 * 1152) / 44100, 'MPEG 1 Layer 3'],
    ['an Ogg Vorbis', ogg, 0.1, 'Vorbis I'],
    ['an Ogg Opus', opus, 1, 'Opus'],
  ])('reads the duration of %s', async (_name, make, seconds, codec) => {
    const file = await inspectFile(make(), 'sound');
    expect(file.sound?.durationSeconds).toBeCloseTo(seconds, 3);
    expect(file.sound?.codec).toBe(codec);
  });

  it('recognizes an Ogg Opus stream', async () => {
    expect(await inspectFile(opus(), 'sound')).toMatchObject({ contentType: 'audio/ogg', extension: 'ogg' });
  });

  it('lets through what real files carry: a pad byte, a few bytes of filler, ID3v1 and small LIST chunks', async () => {
    const id3v1 = Buffer.concat([Buffer.from('TAG', 'latin1'), Buffer.alloc(125, 0x20)]);
    const list = Buffer.concat([Buffer.from('INFOISFT', 'latin1'), Buffer.from([6, 0, 0, 0]), Buffer.from('KeyLab')]);
    for (const sound of [
      Buffer.concat([wav(), Buffer.alloc(1)]),
      Buffer.concat([mp3(), Buffer.alloc(100)]),
      Buffer.concat([mp3({ id3: true }), id3v1]),
      riff([
        ['fmt ', wav().subarray(20, 36)],
        ['LIST', list],
        ['data', wav().subarray(44)],
      ]),
    ]) {
      expect((await inspectFile(sound, 'sound')).kind).toBe('sound');
    }
  });

  const wavFmt = () => wav().subarray(20, 36);
  it.each([
    ['RIFF….WAVE then HTML (the old sniffing accepted it)', () => riff([]).subarray(0, 12).fill(0, 4, 8), html],
    ['RIFF….WAVE with a valid size, then HTML', () => riffOf(html), null],
    ['a WAV followed by a page of HTML', () => Buffer.concat([wav(), page]), null],
    ['a WAV whose data chunk claims more than there is', () => patchUint32(wav(), 40, 1_000_000), null],
    ['a WAV without a data chunk', () => riff([['fmt ', wavFmt()]]), null],
    ['a WAV without a fmt chunk', () => riff([['data', wav().subarray(44)]]), null],
    ['a WAV whose byte rate does not match', () => patchUint32(wav(), 28, 44100), null],
    [
      'a WAV of an unknown codec',
      () =>
        riff([
          ['fmt ', Buffer.from(wavFmt()).fill(0x55, 0, 2)],
          ['data', wav().subarray(44)],
        ]),
      null,
    ],
    [
      'a WAV carrying HTML in a large chunk',
      () =>
        riff([
          ['fmt ', wavFmt()],
          ['LIST', Buffer.alloc(100_000, 0x3c)],
          ['data', wav().subarray(44)],
        ]),
      null,
    ],
    ['MP3 frames followed by HTML', () => Buffer.concat([mp3(), page]), null],
    ['an ID3 tag followed by HTML', () => Buffer.concat([mp3({ id3: true }).subarray(0, 27), html]), null],
    ['MP3 frames of two sample rates', () => Buffer.concat([mp3(), Buffer.from(mp3()).fill(0x94, 2, 3)]), null],
    ['an Ogg page whose CRC is wrong', () => Buffer.from(ogg()).fill(0, 22, 26), null],
    ['an Ogg stream followed by HTML', () => Buffer.concat([ogg(), page]), null],
    ['an Ogg stream of HTML', () => oggPage([html], { sequence: 0, granule: 0n, flags: 2 }), null],
    [
      'an Ogg Vorbis stream without its setup header',
      () =>
        Buffer.concat([
          ogg().subarray(0, 58), // the identification header's page
          oggPage([Buffer.concat([Buffer.from('\x03vorbis', 'latin1'), Buffer.alloc(9)])], { sequence: 1, granule: 0n }),
          oggPage([Buffer.alloc(40)], { sequence: 2, granule: 800n, flags: 4 }),
        ]),
      null,
    ],
    ['an Ogg Opus stream without audio', () => opus().subarray(0, opus().length - 127), null],
  ])('refuses %s as sound_invalid', async (_name, make, tail) => {
    const body = tail ? Buffer.concat([make(), tail]) : make();
    const error = await rejection(body, 'sound');
    expect(error.reason).toBe('sound_invalid');
    expect(error.messageIn('en')).toMatch(/not a whole (MP3|OGG|WAV) file/);
    expect(error.details[0]).toBeTruthy();
  });
});

describe('messages', () => {
  it('has every reason in English and Russian with the same parameters', () => {
    const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const reason of REJECT_REASONS) {
      const message = fileMessages[reason];
      expect(message.en, reason).toBeTruthy();
      expect(message.ru, reason).toBeTruthy();
      expect(params(message.ru), reason).toEqual(params(message.en));
    }
  });
});
