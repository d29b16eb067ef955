/**
 * Seeded generators of hostile uploads for POST /uploads/model|preview|sound: damaged and lying GLB files,
 * decompression bombs, wrong magic bytes, oversize and empty bodies, wrong content types, odd multipart
 * bodies, bad credentials and paths. Each case says what the answer may be.
 */
import { constants, crc32, createDeflate, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { INJECTIONS, UNICODE_EDGES } from './generators';

export type UploadKind = 'model' | 'preview' | 'sound';

/** A body produced while it is sent: `size` bytes, starting with `head`, the rest `fill`. */
export interface StreamedBody {
  size: number;
  head?: Uint8Array;
  fill?: number;
  /** Send a Content-Length header (else chunked). */
  declared: boolean;
}

export interface UploadCase {
  family: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | StreamedBody;
  as: 'user' | 'anonymous';
  /** Statuses the answer may have (never a 5xx, never 201 unless `mayAccept`). */
  statuses: number[];
  /** Reasons (error.reason) the answer may give; undefined: any known reason, or none (404/401 pages). */
  reasons?: string[];
  mayAccept?: boolean;
}

/** The limits of the upload endpoint (packages/files DEFAULT_LIMITS). */
export const LIMITS: Record<UploadKind, number> = { model: 64 << 20, preview: 16 << 20, sound: 16 << 20 };

// ---------------------------------------------------------------------------------------------------
// File builders

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;

function padded(data: Uint8Array, fill: number): Buffer {
  const length = Math.ceil(data.length / 4) * 4;
  const out = Buffer.alloc(length, fill);
  out.set(data);
  return out;
}

/** A GLB container around a JSON chunk and an optional BIN chunk, with a truthful header. */
export function glb(json: unknown, bin?: Uint8Array): Buffer {
  const jsonBytes = padded(Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), 0x20);
  const binBytes = bin ? padded(bin, 0) : undefined;
  const total = 12 + 8 + jsonBytes.length + (binBytes ? 8 + binBytes.length : 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(GLB_MAGIC, 0);
  out.writeUInt32LE(2, 4);
  out.writeUInt32LE(total, 8);
  out.writeUInt32LE(jsonBytes.length, 12);
  out.writeUInt32LE(CHUNK_JSON, 16);
  jsonBytes.copy(out, 20);
  if (binBytes) {
    const at = 20 + jsonBytes.length;
    out.writeUInt32LE(binBytes.length, at);
    out.writeUInt32LE(CHUNK_BIN, at + 4);
    binBytes.copy(out, at + 8);
  }
  return out;
}

/** The glTF JSON of one triangle whose 36-byte position buffer is the BIN chunk. */
export function triangleJson(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    asset: { version: '2.0', generator: 'keylab fuzz' },
    buffers: [{ byteLength: 36 }],
    bufferViews: [{ buffer: 0, byteOffset: 0, byteLength: 36, target: 34962 }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    nodes: [{ mesh: 0 }],
    scenes: [{ nodes: [0] }],
    scene: 0,
    ...extra,
  };
}

export const TRIANGLE_BIN = new Uint8Array(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer);

/** The triangle with `extras` nested `depth` arrays deep (written out: JSON.stringify would overflow). */
export const deepExtrasJson = (depth: number) =>
  JSON.stringify(triangleJson({ extras: 0 })).replace('"extras":0', `"extras":${'['.repeat(depth)}${']'.repeat(depth)}`);

/** A valid one-triangle GLB (always the same bytes). */
export const triangleGlb = () => glb(triangleJson(), TRIANGLE_BIN);

function pngChunk(type: string, data: Uint8Array, badCrc = false): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(badCrc ? (crc32(body) ^ 0xdeadbeef) >>> 0 : crc32(body));
  return Buffer.concat([length, body, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, colorType = 0, depth = 8): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width >>> 0, 0);
  header.writeUInt32BE(height >>> 0, 4);
  header[8] = depth;
  header[9] = colorType;
  return pngChunk('IHDR', header);
}

/** A greyscale PNG: `width`×`height`, its rows compressed (or `idat` as given), plus extra chunks before IDAT. */
export function png(width: number, height: number, options: { idat?: Buffer; extra?: Buffer[]; badCrc?: boolean } = {}): Buffer {
  const idat = options.idat ?? deflateSync(Buffer.alloc((width + 1) * height, 0));
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    ...(options.extra ?? []),
    pngChunk('IDAT', idat, options.badCrc),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** `size` zero bytes as one zlib stream, compressed slice by slice (about size / 1000 bytes out). */
async function deflatedZeros(size: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9, strategy: constants.Z_RLE });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const slice = Buffer.alloc(Math.min(size, 4 << 20), 0);
  for (let left = size; left > 0; left -= slice.length) {
    if (!deflate.write(slice.subarray(0, Math.min(left, slice.length))))
      await new Promise((resolve) => deflate.once('drain', resolve));
  }
  await new Promise<void>((resolve) => deflate.end(resolve));
  return Buffer.concat(out);
}

export interface Bombs {
  /** 20000×20000 greyscale: 400 MB of pixels from about 400 kB (the dimension check must refuse it unread). */
  dimensions: Buffer;
  /** 1×1 whose IDAT inflates to 64 MiB: the decoder must stop at what the image needs. */
  extraData: Buffer;
  /** A 16 MiB zTXt text chunk inside a 1×1 image. */
  ztxt: Buffer;
  /** A 16 MiB iCCP colour profile inside a 1×1 image. */
  iccp: Buffer;
  /** A header that claims 4096×4096 (allowed) over far too little data. */
  liar: Buffer;
}

let built: Promise<Bombs> | undefined;

/** The decompression bombs, built once (they take a moment). */
export function bombs(): Promise<Bombs> {
  built ??= (async () => ({
    dimensions: png(20_000, 20_000, { idat: await deflatedZeros(20_001 * 20_000) }),
    extraData: png(1, 1, { idat: await deflatedZeros(64 << 20) }),
    ztxt: png(1, 1, { extra: [pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0'), await deflatedZeros(16 << 20)]))] }),
    iccp: png(1, 1, { extra: [pngChunk('iCCP', Buffer.concat([Buffer.from('icc\0\0'), await deflatedZeros(16 << 20)]))] }),
    liar: png(4_096, 4_096, { idat: deflateSync(Buffer.alloc(100)) }),
  }))();
  return built;
}

/** A JPEG start with a baseline SOF0 of the given size, then garbage. */
export function jpegWithSize(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    sof,
    Buffer.from([0xff, 0xda, 0x00, 0x02]),
    Buffer.alloc(64, 0x55),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A RIFF/WEBP with a VP8X header of the given canvas and a lying RIFF size. */
export function webpVp8x(width: number, height: number, riffSize = 30): Buffer {
  const out = Buffer.alloc(30);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(riffSize >>> 0, 4);
  out.write('WEBPVP8X', 8, 'latin1');
  out.writeUInt32LE(10, 16);
  out.writeUIntLE(width - 1, 24, 3);
  out.writeUIntLE(height - 1, 27, 3);
  return out;
}

/** Whether the first bytes would pass the sound check (ID3, an MPEG frame, OggS or RIFF/WAVE): the fuzz avoids them. */
export function looksLikeSound(head: Uint8Array): boolean {
  const b = Buffer.from(head.subarray(0, 12));
  const id3 =
    b.length >= 10 &&
    b.toString('latin1', 0, 3) === 'ID3' &&
    b[3]! >= 2 &&
    b[3]! <= 4 &&
    b[4] !== 0xff &&
    [6, 7, 8, 9].every((i) => b[i]! < 0x80);
  const mpeg =
    b.length >= 4 &&
    b[0] === 0xff &&
    (b[1]! & 0xe0) === 0xe0 &&
    ((b[1]! >> 3) & 3) !== 1 &&
    ((b[1]! >> 1) & 3) !== 0 &&
    b[2]! >> 4 !== 15 &&
    ((b[2]! >> 2) & 3) !== 3;
  const ogg = b.length >= 5 && b.toString('latin1', 0, 4) === 'OggS' && b[4] === 0;
  const wav = b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE';
  return id3 || mpeg || ogg || wav;
}

// ---------------------------------------------------------------------------------------------------
// Cases

const uploadPath = (kind: string) => `/uploads/${kind}`;
const RAW_TYPE: Record<UploadKind, string> = { model: 'model/gltf-binary', preview: 'image/png', sound: 'audio/mpeg' };

function raw(
  family: string,
  kind: UploadKind,
  body: Uint8Array,
  statuses: number[],
  reasons?: string[],
  mayAccept = false,
): UploadCase {
  return {
    family,
    method: 'POST',
    path: uploadPath(kind),
    headers: { 'content-type': RAW_TYPE[kind] },
    body,
    as: 'user',
    statuses,
    reasons,
    mayAccept,
  };
}

/** Damaged, truncated and lying GLB files. */
export function modelCases(): fc.Arbitrary<UploadCase> {
  const valid = triangleGlb();
  const truncated = fc.nat({ max: valid.length - 1 }).map((n) => {
    const reasons = n === 0 ? ['empty'] : n < 4 ? ['not_glb'] : ['glb_length'];
    return raw('glb-truncated', 'model', valid.subarray(0, n), [400], reasons);
  });
  const magic = fc
    .uint8Array({ minLength: 4, maxLength: 4 })
    .filter((bytes) => Buffer.from(bytes).readUInt32LE(0) !== GLB_MAGIC)
    .map((bytes) => {
      const copy = Buffer.from(valid);
      copy.set(bytes, 0);
      return raw('glb-magic', 'model', copy, [400], ['not_glb']);
    });
  const version = fc
    .oneof(fc.constantFrom(0, 1, 3, 0xffffffff, 0x20000), fc.nat())
    .filter((v) => v !== 2)
    .map((v) => {
      const copy = Buffer.from(valid);
      copy.writeUInt32LE(v >>> 0, 4);
      return raw('glb-version', 'model', copy, [400], ['glb_version']);
    });
  const lyingLength = fc
    .oneof(fc.constantFrom(0, 12, 0xffffffff, valid.length - 1, valid.length + 1, valid.length * 2), fc.nat())
    .filter((declared) => declared !== valid.length)
    .map((declared) => {
      const copy = Buffer.from(valid);
      copy.writeUInt32LE(declared >>> 0, 8);
      return raw('glb-length-lie', 'model', copy, [400], ['glb_length']);
    });
  // Which word lies: the JSON chunk's length (12) or type (16), or the BIN chunk's length ('bin').
  const lyingChunk = fc
    .tuple(
      fc.constantFrom<number | 'bin'>(12, 16, 'bin'),
      fc.oneof(fc.constantFrom(0, 1, 3, 0xffffffff, 0x7fffffff, 8, 400), fc.nat()),
      fc.boolean(),
    )
    .map(([offset, value, appendChunk]) => {
      let copy = Buffer.from(valid);
      if (appendChunk) {
        // A third chunk whose length runs past the end, with the header's total kept true.
        const extra = Buffer.alloc(8 + 4);
        extra.writeUInt32LE(value >>> 0, 0);
        extra.writeUInt32LE(offset === 16 ? CHUNK_JSON : CHUNK_BIN, 4);
        copy = Buffer.concat([copy, extra]);
        copy.writeUInt32LE(copy.length, 8);
      } else {
        const at = offset === 'bin' ? 20 + copy.readUInt32LE(12) : offset;
        // Not a lie after all: the valid file, which is taken.
        if (copy.readUInt32LE(at) === value) return raw('glb-chunk-lie', 'model', valid, [201], undefined, true);
        copy.writeUInt32LE(value >>> 0, at);
      }
      return raw('glb-chunk-lie', 'model', copy, [400], ['glb_chunks', 'gltf_invalid', 'model_empty']);
    });
  const jsonFuzz = fc
    .oneof(
      fc.json({ maxDepth: 4 }),
      fc.constantFrom(...INJECTIONS, ...UNICODE_EDGES),
      fc.constant(
        JSON.stringify(triangleJson({ accessors: [{ bufferView: 0, componentType: 5126, count: 2 ** 31, type: 'VEC3' }] })),
      ),
      fc.constant(JSON.stringify(triangleJson({ buffers: [{ byteLength: 0xffffffff }] }))),
      fc.constant(JSON.stringify(triangleJson({ bufferViews: [{ buffer: 0, byteOffset: 0xfffffff0, byteLength: 36 }] }))),
      fc
        .constantFrom('file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', '../../../../etc/passwd', 'data:,x')
        .map((uri) => JSON.stringify(triangleJson({ buffers: [{ byteLength: 36, uri }] }))),
      fc.constant(JSON.stringify(triangleJson({ images: [{ uri: 'file:///etc/shadow' }] }))),
      fc.constant(
        JSON.stringify(
          triangleJson({ extensionsUsed: ['KHR_draco_mesh_compression'], extensionsRequired: ['KHR_draco_mesh_compression'] }),
        ),
      ),
      fc.constant(JSON.stringify(triangleJson({ nodes: [{ mesh: 0, children: [0] }] }))),
      fc.constant(
        JSON.stringify(
          triangleJson({ nodes: [{ mesh: 0, matrix: [1e308, 0, 0, 0, 0, 1e308, 0, 0, 0, 0, 1e308, 0, 0, 0, 0, 1] }] }),
        ),
      ),
      fc.constant(
        JSON.stringify(
          triangleJson({ meshes: Array.from({ length: 5_000 }, () => ({ primitives: [{ attributes: { POSITION: 0 } }] })) }),
        ),
      ),
      // Not deeper: from about 10,000 levels the validator overflows its stack outside any promise and the
      // process dies (the known bug reproduced by uploads.test.ts with validator-probe.ts).
      fc.constantFrom(100, 1_000, 5_000).map((depth) => deepExtrasJson(depth)),
      fc.constant('{"asset":{"version":"2.0"},"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
      fc.constant('{"asset":{"version":"2.0"}' + ',"a":1'.repeat(50_000) + '}'),
      fc.constant(`{"asset":{"version":"2.0","generator":"${'\\ud800'.repeat(1000)}"}}`),
    )
    .map((json) => raw('glb-json', 'model', glb(json, TRIANGLE_BIN), [400], ['gltf_invalid', 'model_empty'], true));
  const binFuzz = fc
    .oneof(
      fc.uint8Array({ minLength: 0, maxLength: 64 }),
      fc.constant(new Uint8Array(new Float32Array([NaN, Infinity, -Infinity, 0, 0, 0, 1, 1, 1]).buffer)),
    )
    .map((bin) =>
      raw('glb-bin', 'model', glb(triangleJson(), bin.length ? bin : undefined), [400], ['gltf_invalid', 'model_empty'], true),
    );
  return fc.oneof(
    { weight: 3, arbitrary: truncated },
    { weight: 2, arbitrary: magic },
    { weight: 1, arbitrary: version },
    { weight: 2, arbitrary: lyingLength },
    { weight: 3, arbitrary: lyingChunk },
    { weight: 3, arbitrary: jsonFuzz },
    { weight: 1, arbitrary: binFuzz },
  );
}

/** Wrong magic, damaged images and decompression bombs for previews. */
export function previewCases(): fc.Arbitrary<UploadCase> {
  const small = png(2, 2);
  const magic = fc
    .oneof(
      fc.constantFrom(
        Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
        Buffer.from('BM\x1e\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00', 'latin1'),
        Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><!ENTITY a "aaaa"></svg>'),
        Buffer.from('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "a"><!ENTITY b "&a;&a;&a;&a;&a;">]><svg>&b;</svg>'),
        Buffer.from('II*\x00\x08\x00\x00\x00', 'latin1'),
        Buffer.from('\x00\x00\x00\x0cjP  \r\n\x87\n', 'latin1'),
        Buffer.from('RIFF\x00\x00\x00\x00WAVE', 'latin1'),
      ),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).filter((b) => !(b[0] === 0x89 || b[0] === 0xff || b[0] === 0x52)),
    )
    .map((body) => raw('image-magic', 'preview', body, [400], ['not_webp']));
  // Cut anywhere; once the whole zlib stream of IDAT is there the image decodes, and may be taken.
  const idatEnd = 8 + 25 + 8 + small.readUInt32BE(33);
  const truncated = fc
    .integer({ min: 8, max: small.length - 1 })
    .map((n) => raw('image-truncated', 'preview', small.subarray(0, n), [400], ['image_invalid'], n >= idatEnd));
  const damaged = fc
    .oneof(
      fc.constant(png(2, 2, { badCrc: true })),
      fc.constant(png(0, 0)),
      fc.constant(png(1, 0)),
      fc.constant(png(2, 2, { idat: Buffer.from('not zlib at all') })),
      fc.constant(jpegWithSize(2, 2)),
      fc.constant(jpegWithSize(0, 0)),
      fc.constant(Buffer.from([0xff, 0xd8, 0xff])),
      fc.constant(webpVp8x(2, 2, 0xffffffff)),
      fc.constant(webpVp8x(2, 2, 4)),
      fc.constant(Buffer.from('RIFF\x04\x00\x00\x00WEBPVP8 \x00\x00\x00\x00', 'latin1')),
      fc.nat({ max: 2_000 }).map((seed) => {
        const copy = Buffer.from(small);
        const at = 16 + (seed % (copy.length - 16));
        copy[at] = copy[at]! ^ (1 + (seed % 255));
        return copy;
      }),
    )
    .map((body) => raw('image-damaged', 'preview', body, [400], ['image_invalid', 'image_too_large', 'not_webp'], true));
  const tooLarge = fc
    .oneof(
      fc.constant(png(4_097, 1, { idat: deflateSync(Buffer.alloc(10)) })),
      fc.constant(png(1, 100_000, { idat: deflateSync(Buffer.alloc(10)) })),
      fc.constant(png(0x7fffffff, 0x7fffffff, { idat: deflateSync(Buffer.alloc(10)) })),
      fc.constant(jpegWithSize(65_500, 65_500)),
      fc.constant(jpegWithSize(8_000, 10)),
      fc.constant(webpVp8x(16_384, 16_384)),
      fc.constant(webpVp8x(5_000, 1)),
    )
    .map((body) => raw('image-too-large', 'preview', body, [400], ['image_too_large', 'image_invalid']));
  return fc.oneof(
    { weight: 2, arbitrary: magic },
    { weight: 2, arbitrary: truncated },
    { weight: 3, arbitrary: damaged },
    { weight: 2, arbitrary: tooLarge },
  );
}

/** The decompression bombs (a few of each: they are what the guard is for). */
export async function bombCases(): Promise<UploadCase[]> {
  const b = await bombs();
  return [
    raw('bomb', 'preview', b.dimensions, [400], ['image_too_large']),
    raw('bomb', 'preview', b.extraData, [400], ['image_invalid'], true),
    raw('bomb', 'preview', b.ztxt, [400], ['image_invalid'], true),
    raw('bomb', 'preview', b.iccp, [400], ['image_invalid'], true),
    raw('bomb', 'preview', b.liar, [400], ['image_invalid']),
    // The same bomb inside a model (a data URI image the validator looks at) and as a sound.
    raw(
      'bomb',
      'model',
      glb(triangleJson({ images: [{ uri: `data:image/png;base64,${b.dimensions.toString('base64')}` }] }), TRIANGLE_BIN),
      [400],
      ['gltf_invalid'],
      true,
    ),
    raw('bomb', 'sound', b.dimensions, [400], ['not_audio']),
  ];
}

/** Bytes that are no sound, or only the start of one. */
export function soundCases(): fc.Arbitrary<UploadCase> {
  const bytes = fc
    .oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.constantFrom(
        Buffer.from('ID'),
        Buffer.from('ID3'),
        Buffer.from('ID3\x04\x00\x00\x80\x80\x80\x80', 'latin1'),
        Buffer.from('ID3\x01\x00\x00\x00\x00\x00\x00', 'latin1'),
        Buffer.from('ID3\x04\xff\x00\x00\x00\x00\x00', 'latin1'),
        Buffer.from([0xff, 0xe0, 0x00, 0x00]),
        Buffer.from([0xff, 0xfb, 0xf0, 0x00]),
        Buffer.from([0xff, 0xf9, 0x90, 0x00]),
        Buffer.from([0xff, 0xfb, 0x9c, 0x00]),
        Buffer.from('OggS\x01', 'latin1'),
        Buffer.from('OggS', 'latin1'),
        Buffer.from('RIFF\x24\x00\x00\x00WAVX', 'latin1'),
        Buffer.from('RIFF', 'latin1'),
        Buffer.from('fLaC\x00\x00\x00\x22', 'latin1'),
        Buffer.from('MThd\x00\x00\x00\x06', 'latin1'),
      ),
    )
    .filter((body) => !looksLikeSound(body));
  return bytes.map((body) => raw('sound-magic', 'sound', body, [400], ['not_audio']));
}

/** Empty bodies and bodies past each kind's limit (raw and multipart, with and without Content-Length). */
export function sizeCases(boundary: string): UploadCase[] {
  const cases: UploadCase[] = [];
  for (const kind of ['model', 'preview', 'sound'] as const) {
    cases.push(raw('empty', kind, new Uint8Array(0), [400], ['empty']));
    cases.push({
      family: 'empty',
      method: 'POST',
      path: uploadPath(kind),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipart(boundary, [{ name: 'file', filename: 'empty.bin', data: Buffer.alloc(0) }]),
      as: 'user',
      statuses: [400],
      reasons: ['empty'],
    });
    cases.push({
      family: 'empty',
      method: 'POST',
      path: uploadPath(kind),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: multipart(boundary, [{ name: 'title', data: 'no file here' }]),
      as: 'user',
      statuses: [400],
      reasons: ['no_file'],
    });
    const limit = LIMITS[kind];
    // Declared past the limit: refused before the body is read.
    cases.push({
      family: 'oversize',
      method: 'POST',
      path: uploadPath(kind),
      headers: { 'content-type': RAW_TYPE[kind] },
      body: { size: limit + 1, declared: true },
      as: 'user',
      statuses: [413],
      reasons: ['too_large'],
    });
    cases.push({
      family: 'oversize',
      method: 'POST',
      path: uploadPath(kind),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: { size: limit + 70 * 1024, declared: true, head: multipartHead(boundary) },
      as: 'user',
      statuses: [413],
      reasons: ['too_large'],
    });
  }
  // Chunked (no length given): refused once the limit is passed while streaming (16 MiB each; the model's 64 MiB once).
  for (const kind of ['preview', 'sound', 'model'] as const) {
    cases.push({
      family: 'oversize',
      method: 'POST',
      path: uploadPath(kind),
      headers: { 'content-type': RAW_TYPE[kind] },
      body: {
        size: LIMITS[kind] + (1 << 20),
        declared: false,
        head: kind === 'model' ? triangleGlb().subarray(0, 12) : png(2, 2).subarray(0, 16),
      },
      as: 'user',
      statuses: [413],
      reasons: ['too_large'],
    });
  }
  cases.push({
    family: 'oversize',
    method: 'POST',
    path: uploadPath('preview'),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: { size: LIMITS.preview + (1 << 20), declared: false, head: multipartHead(boundary) },
    as: 'user',
    statuses: [413],
    reasons: ['too_large'],
  });
  return cases;
}

/** The start of a multipart body whose one file part runs to the end of the body. */
export function multipartHead(boundary: string): Buffer {
  return Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
}

export function multipart(
  boundary: string,
  parts: { name: string; filename?: string; data: Uint8Array | string; headers?: string }[],
  options: { close?: boolean; eol?: string } = {},
): Buffer {
  const eol = options.eol ?? '\r\n';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    const type = part.filename !== undefined ? `Content-Type: application/octet-stream${eol}` : '';
    chunks.push(
      Buffer.from(`--${boundary}${eol}Content-Disposition: ${disposition}${eol}${type}${part.headers ?? ''}${eol}`, 'latin1'),
    );
    chunks.push(Buffer.from(part.data), Buffer.from(eol));
  }
  if (options.close ?? true) chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}

/** Content types a kind does not take, for a raw body. */
export function contentTypeCases(): fc.Arbitrary<UploadCase> {
  return fc
    .tuple(
      fc.constantFrom<UploadKind>('model', 'preview', 'sound'),
      fc.constantFrom(
        '',
        'text/plain',
        'application/json',
        'application/x-www-form-urlencoded',
        'image/svg+xml',
        'image/gif',
        'audio/flac',
        'video/mp4',
        'model/gltf+json',
        'multipart/mixed; boundary=x',
        'multipart/related; boundary=x',
        'application/octet-stream2',
        'model/gltf-binary-x',
        'text/html; charset=utf-8',
        'image/png; charset=' + 'x'.repeat(3_000),
      ),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
    )
    .filter(([kind, type]) => !(kind === 'preview' && type.startsWith('image/png')))
    .map(([kind, type, body]) => ({
      family: 'content-type',
      method: 'POST',
      path: uploadPath(kind),
      headers: type ? { 'content-type': type } : ({} as Record<string, string>),
      body,
      as: 'user' as const,
      statuses: [400],
      reasons: ['unsupported_media_type'],
    }));
}

/** Multipart bodies no browser sends: odd boundaries, cut off, wrong line ends, too many parts or files. */
export function multipartCases(): fc.Arbitrary<UploadCase> {
  const notAFile = Buffer.from('NOT A FILE OF ANY KIND: ' + 'z'.repeat(40));
  const boundary = fc.oneof(
    fc.constantFrom(
      'x',
      '----WebKitFormBoundary7MA4YWxkTrZu0gW',
      "'()+_,-./:=?",
      'a'.repeat(70),
      'b'.repeat(200),
      '--',
      '"quoted"',
    ),
    fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=?]{1,70}$/),
  );
  return fc
    .tuple(
      fc.constantFrom<UploadKind>('model', 'preview', 'sound'),
      boundary,
      fc.constantFrom(
        'ok',
        'missing',
        'mismatch',
        'unclosed',
        'lf',
        'two-files',
        'many-parts',
        'many-fields',
        'big-field',
        'traversal',
        'quoted-space',
        'nested',
        'preamble',
        'no-disposition',
        'header-flood',
      ),
    )
    .map(([kind, b, shape]) => {
      type Part = Parameters<typeof multipart>[1][number];
      const file: Part = { name: 'file', filename: 'model.glb', data: notAFile };
      let type = `multipart/form-data; boundary=${b}`;
      let body: Buffer;
      switch (shape) {
        case 'missing':
          type = 'multipart/form-data';
          body = multipart(b, [file]);
          break;
        case 'mismatch':
          body = multipart(`${b}X`, [file]);
          break;
        case 'unclosed':
          body = multipart(b, [file], { close: false }).subarray(0, -10);
          break;
        case 'lf':
          body = multipart(b, [file], { eol: '\n' });
          break;
        case 'two-files':
          body = multipart(b, [file, { ...file, name: 'file2' }]);
          break;
        case 'many-parts':
          body = multipart(b, [...Array.from({ length: 45 }, (_, i): Part => ({ name: `p${i}`, data: 'x' })), file]);
          break;
        case 'many-fields':
          body = multipart(b, [...Array.from({ length: 25 }, (_, i): Part => ({ name: `f${i}`, data: 'x' })), file]);
          break;
        case 'big-field':
          body = multipart(b, [{ name: 'title', data: 'x'.repeat(20_000) }, file]);
          break;
        case 'traversal':
          body = multipart(b, [{ ...file, filename: '../../../../../tmp/keylab-pwned\u0000.glb' }]);
          break;
        case 'quoted-space':
          type = `multipart/form-data; boundary="${b} with space"`;
          body = multipart(`${b} with space`, [file]);
          break;
        case 'nested':
          body = multipart(b, [
            { name: 'file', data: multipart('inner', [file]), headers: 'Content-Type: multipart/mixed; boundary=inner\r\n' },
          ]);
          break;
        case 'preamble':
          body = Buffer.concat([Buffer.alloc(200_000, 0x41), Buffer.from('\r\n'), multipart(b, [file])]);
          break;
        case 'no-disposition':
          body = Buffer.from(`--${b}\r\nContent-Type: application/octet-stream\r\n\r\n${notAFile.toString()}\r\n--${b}--\r\n`);
          break;
        case 'header-flood':
          body = multipart(b, [{ ...file, headers: Array.from({ length: 150 }, (_, i) => `X-H${i}: v\r\n`).join('') }]);
          break;
        default:
          body = multipart(b, [{ name: 'title', data: 'Бокс' }, file]);
      }
      return {
        family: 'multipart',
        method: 'POST',
        path: uploadPath(kind),
        headers: { 'content-type': type },
        body,
        as: 'user' as const,
        statuses: [400],
        reasons: [
          'malformed',
          'no_file',
          'too_many_files',
          'not_glb',
          'not_webp',
          'not_audio',
          'empty',
          'unsupported_media_type',
        ],
      };
    });
}

/** Missing, garbage and foreign credentials: refused before the body is read. */
export function authCases(): fc.Arbitrary<UploadCase> {
  return fc
    .tuple(
      fc.constantFrom<UploadKind>('model', 'preview', 'sound'),
      fc.constantFrom(
        undefined,
        '',
        'Bearer',
        'Bearer garbage',
        'Basic YWRtaW46YWRtaW4=',
        'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiLCJyb2xlcyI6WyJhZG1pbiJdfQ.',
        'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
        `Bearer ${'A'.repeat(6_000)}`,
      ),
    )
    .map(([kind, authorization]) => ({
      family: 'auth',
      method: 'POST',
      path: uploadPath(kind),
      headers: { 'content-type': RAW_TYPE[kind], ...(authorization === undefined ? {} : { authorization }) },
      body: triangleGlb(),
      as: 'anonymous' as const,
      statuses: [401],
    }));
}

/** Paths and methods the upload and download routes do not have. */
export function pathCases(): fc.Arbitrary<UploadCase> {
  return fc
    .tuple(
      fc.constantFrom(
        ['POST', '/uploads/unknown'],
        ['POST', '/uploads/MODEL'],
        ['POST', '/uploads/model/extra'],
        ['POST', '/uploads/'],
        ['POST', '/uploads/%2e%2e%2fgraphql'],
        ['POST', '/uploads/..%2f..%2fgraphql'],
        ['POST', '/uploads/model%00'],
        ['POST', '/uploads/__proto__'],
        ['POST', '/uploads/constructor'],
        ['GET', '/uploads/model'],
        ['PUT', '/uploads/model'],
        ['DELETE', '/uploads/model'],
        ['GET', '/files/..%2f..%2f..%2fetc%2fpasswd'],
        ['GET', '/files/sha256/../../../../etc/passwd'],
        // Not /files/%00: a U+0000 in the key is the known bug reproduced by uploads.test.ts.
        ['GET', '/files/%01'],
        ['GET', '/files/%E2%80%AE'],
        ['GET', '/files/sha256/00/' + '0'.repeat(64) + '.glb'],
        ['GET', '/files/' + 'a'.repeat(5_000)],
        ['GET', '/files/private/' + '00000000-0000-0000-0000-000000000000?expires=1&signature=x'],
        ['GET', '/exports/garbage'],
        ['GET', '/exports/' + '..%2f'.repeat(10)],
      ),
      fc.constantFrom<'user' | 'anonymous'>('user', 'anonymous'),
    )
    .map(([[method, path], as]) => ({
      family: 'path',
      method: method!,
      path: path!,
      headers: method === 'POST' ? { 'content-type': 'model/gltf-binary' } : ({} as Record<string, string>),
      body: method === 'POST' ? Buffer.from('junk') : undefined,
      as,
      statuses: [400, 401, 403, 404, 405, 410],
      reasons: ['not_found', 'unknown_kind'],
    }));
}
