import { Document, NodeIO, type mat4 } from '@gltf-transform/core';
import sharp from 'sharp';
import { constants, createDeflate } from 'node:zlib';

/** A cube (8 vertices, 12 triangles, indexed) of half-size 1, in a node translated by `translation`. */
export async function cubeGlb(
  options: { translation?: [number, number, number]; scale?: number; matrix?: mat4 } = {},
): Promise<Buffer> {
  const document = new Document();
  const buffer = document.createBuffer();
  const positions = new Float32Array([-1, -1, -1, 1, -1, -1, 1, 1, -1, -1, 1, -1, -1, -1, 1, 1, -1, 1, 1, 1, 1, -1, 1, 1]);
  const indices = new Uint16Array([
    0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3,
  ]);
  const position = document.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer);
  const index = document.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer);
  const primitive = document.createPrimitive().setAttribute('POSITION', position).setIndices(index);
  const mesh = document.createMesh('cube').addPrimitive(primitive);
  const node = document.createNode('cube').setMesh(mesh);
  if (options.translation) node.setTranslation(options.translation);
  if (options.scale) node.setScale([options.scale, options.scale, options.scale]);
  if (options.matrix) node.setMatrix(options.matrix);
  const parent = document.createNode('root').addChild(node);
  document.createScene('scene').addChild(parent);
  return Buffer.from(await new NodeIO().writeBinary(document));
}

/** A single non-indexed triangle, without a node or scene. */
export async function looseTriangleGlb(): Promise<Buffer> {
  const document = new Document();
  const buffer = document.createBuffer();
  const position = document
    .createAccessor()
    .setType('VEC3')
    .setArray(new Float32Array([0, 0, 0, 2, 0, 0, 0, 3, 0]))
    .setBuffer(buffer);
  document.createMesh().addPrimitive(document.createPrimitive().setAttribute('POSITION', position));
  return Buffer.from(await new NodeIO().writeBinary(document));
}

/** A cube whose index buffer points past its 8 vertices: parses, but the validator refuses it. */
export async function outOfRangeIndexGlb(): Promise<Buffer> {
  const document = new Document();
  const buffer = document.createBuffer();
  const position = document
    .createAccessor()
    .setType('VEC3')
    .setArray(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]))
    .setBuffer(buffer);
  const index = document
    .createAccessor()
    .setType('SCALAR')
    .setArray(new Uint16Array([0, 1, 200]))
    .setBuffer(buffer);
  const mesh = document
    .createMesh()
    .addPrimitive(document.createPrimitive().setAttribute('POSITION', position).setIndices(index));
  document.createScene().addChild(document.createNode().setMesh(mesh));
  return Buffer.from(await new NodeIO().writeBinary(document));
}

/** Rewrites one little-endian uint32 of a copy. */
export function patchUint32(data: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(data);
  copy.writeUInt32LE(value, offset);
  return copy;
}

export function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 200, g: 30, b: 60, alpha: 0.5 } } })
    .png()
    .toBuffer();
}

export function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer();
}

export function webp(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 1, g: 2, b: 3 } } })
    .webp()
    .toBuffer();
}

function crc32(data: Buffer): number {
  let crc = ~0;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a valid greyscale PNG of `size`×`size` zero pixels, `size`² bytes once decoded
 * (400 MB for 20000) from a few hundred kilobytes of file (about 1000:1).
 */
export async function bombPng(size: number): Promise<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const deflate = createDeflate({ level: 9, strategy: constants.Z_RLE });
  const compressed: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
  const rowsAtOnce = 256;
  const rows = Buffer.alloc(rowsAtOnce * (size + 1)); // each row: filter byte 0, then the pixels
  for (let row = 0; row < size; row += rowsAtOnce) {
    deflate.write(rows.subarray(0, Math.min(rowsAtOnce, size - row) * (size + 1)));
  }
  await new Promise<void>((resolve) => deflate.end(resolve));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', Buffer.concat(compressed)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
