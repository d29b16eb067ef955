import { Logger, NodeIO, type Accessor, type Document, type mat4 } from '@gltf-transform/core';
import { validateBytes } from './gltf-validator';
import { FileRejected } from './errors';

export type Vec3 = [number, number, number];

export interface ModelInfo {
  /** Sum of the POSITION counts of every mesh primitive (each mesh once, however many nodes use it). */
  vertexCount: number;
  /** Triangles of TRIANGLES primitives (indices / 3, or vertices / 3 when not indexed), plus n - 2 per strip or fan. */
  triangleCount: number;
  /** Axis-aligned bounds of the default scene in world space (see `modelInfo`). */
  boundingBox: { min: Vec3; max: Vec3 };
}

const GLB_MAGIC = 0x46546c67; // "glTF"
const CHUNK_JSON = 0x4e4f534a; // "JSON"
const CHUNK_BIN = 0x004e4942; // "BIN\0"
const MAX_VALIDATOR_DETAILS = 3;

/** The 12-byte GLB header: magic `glTF`, version 2, and a total length equal to the file's size. */
export function checkGlbHeader(head: Buffer, byteSize: number): void {
  if (head.length < 4 || head.readUInt32LE(0) !== GLB_MAGIC) throw new FileRejected('not_glb');
  if (head.length < 12) throw new FileRejected('glb_length', { declared: '?', actual: byteSize });
  const version = head.readUInt32LE(4);
  if (version !== 2) throw new FileRejected('glb_version', { version });
  const declared = head.readUInt32LE(8);
  if (declared !== byteSize) throw new FileRejected('glb_length', { declared, actual: byteSize });
}

/** The GLB container: the header, then a JSON chunk first, at most one BIN chunk next, chunks filling the file exactly. */
export function checkGlbContainer(glb: Buffer): void {
  checkGlbHeader(glb.subarray(0, 12), glb.length);
  const chunks: number[] = [];
  let offset = 12;
  while (offset < glb.length) {
    if (offset + 8 > glb.length) throw new FileRejected('glb_chunks', {}, [`a chunk header at byte ${offset} is cut off`]);
    const length = glb.readUInt32LE(offset);
    const type = glb.readUInt32LE(offset + 4);
    if (offset + 8 + length > glb.length) {
      throw new FileRejected('glb_chunks', {}, [`the chunk at byte ${offset} (${length} bytes) runs past the end`]);
    }
    chunks.push(type);
    offset += 8 + length;
  }
  if (chunks[0] !== CHUNK_JSON) throw new FileRejected('glb_chunks', {}, ['the first chunk is not the JSON chunk']);
  if (chunks.slice(1).some((type, i) => type === CHUNK_JSON || (type === CHUNK_BIN && i > 0))) {
    throw new FileRejected('glb_chunks', {}, ['a JSON or BIN chunk is repeated or out of place']);
  }
}

/** Real glTF needs a handful of levels (extras and extensions a few more). */
const MAX_JSON_NESTING = 64;

/** The deepest nesting of objects and arrays in JSON text, counted without parsing it. */
function jsonNesting(json: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const byte = json[i]!;
    if (inString) {
      if (byte === 0x5c) i += 1;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x7d || byte === 0x5d) depth -= 1;
  }
  return deepest;
}

/**
 * Runs the Khronos glTF validator; any error (severity 0) refuses the model, with the first few issues
 * as details. External resources are refused too: a model must be one self-contained .glb.
 */
export async function validateGlb(glb: Buffer): Promise<void> {
  // The validator recurses into the JSON and overflows its stack, outside any promise, on deep nesting.
  const depth = jsonNesting(glb.subarray(20, 20 + glb.readUInt32LE(12)));
  if (depth > MAX_JSON_NESTING) {
    const message = `the JSON chunk nests ${depth} levels deep; at most ${MAX_JSON_NESTING} are allowed`;
    throw new FileRejected('gltf_invalid', { details: message }, [message]);
  }
  let report;
  try {
    report = await validateBytes(new Uint8Array(glb.buffer, glb.byteOffset, glb.length), {
      format: 'glb',
      maxIssues: 50,
      writeTimestamp: false,
      externalResourceFunction: (uri) =>
        Promise.reject(new Error(`external resource ${uri} is not allowed: embed it in the .glb`)),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FileRejected('gltf_invalid', { details: message }, [message]);
  }
  if (report.issues.numErrors === 0) return;
  const details = report.issues.messages
    .filter((issue) => issue.severity === 0)
    .slice(0, MAX_VALIDATOR_DETAILS)
    .map((issue) => `${issue.code}${issue.pointer ? ` at ${issue.pointer}` : ''}: ${issue.message}`);
  const more = report.issues.numErrors - details.length;
  throw new FileRejected('gltf_invalid', { details: details.join('; ') + (more > 0 ? ` (+${more})` : '') }, details);
}

const TRIANGLES = 4;
const TRIANGLE_STRIP = 5;
const TRIANGLE_FAN = 6;

function positionBounds(position: Accessor): { min: number[]; max: number[] } {
  return { min: position.getMinNormalized([]), max: position.getMaxNormalized([]) };
}

function transformPoint(m: mat4, [x, y, z]: readonly number[]): Vec3 {
  const px = x ?? 0;
  const py = y ?? 0;
  const pz = z ?? 0;
  const w = m[3] * px + m[7] * py + m[11] * pz + m[15] || 1;
  return [
    (m[0] * px + m[4] * py + m[8] * pz + m[12]) / w,
    (m[1] * px + m[5] * py + m[9] * pz + m[13]) / w,
    (m[2] * px + m[6] * py + m[10] * pz + m[14]) / w,
  ];
}

class Box {
  min: Vec3 = [Infinity, Infinity, Infinity];
  max: Vec3 = [-Infinity, -Infinity, -Infinity];

  add(point: readonly number[]): void {
    for (let i = 0; i < 3; i++) {
      const value = point[i] ?? 0;
      if (!Number.isFinite(value)) continue;
      this.min[i] = Math.min(this.min[i]!, value);
      this.max[i] = Math.max(this.max[i]!, value);
    }
  }

  /** The corners of an accessor's bounds, through a world matrix (null: untransformed). */
  addBounds({ min, max }: { min: number[]; max: number[] }, matrix: mat4 | null): void {
    if (!matrix) {
      this.add(min);
      this.add(max);
      return;
    }
    for (const x of [min[0], max[0]])
      for (const y of [min[1], max[1]])
        for (const z of [min[2], max[2]]) this.add(transformPoint(matrix, [x ?? 0, y ?? 0, z ?? 0]));
  }

  get empty(): boolean {
    return !(this.min[0] <= this.max[0]);
  }
}

const round = (value: number) => Math.round(value * 1e6) / 1e6 + 0; // + 0 turns -0 into 0

/**
 * Counts and bounds. Bounds: every node of the default scene (else the first) that has a mesh contributes
 * its primitives' POSITION min/max, transformed by the node's world matrix; a skinned node (whose pose
 * the matrix does not give) or a non-finite matrix contributes the untransformed accessor bounds. With no
 * scene or no mesh in it, the accessor bounds of every mesh.
 */
export function modelInfo(document: Document): ModelInfo {
  const root = document.getRoot();
  let vertexCount = 0;
  let triangleCount = 0;
  for (const mesh of root.listMeshes()) {
    for (const primitive of mesh.listPrimitives()) {
      const position = primitive.getAttribute('POSITION');
      if (!position) continue;
      vertexCount += position.getCount();
      const elements = primitive.getIndices()?.getCount() ?? position.getCount();
      const mode = primitive.getMode();
      if (mode === TRIANGLES) triangleCount += Math.floor(elements / 3);
      else if (mode === TRIANGLE_STRIP || mode === TRIANGLE_FAN) triangleCount += Math.max(0, elements - 2);
    }
  }
  if (vertexCount === 0) throw new FileRejected('model_empty');

  const box = new Box();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  scene?.traverse((node) => {
    const mesh = node.getMesh();
    if (!mesh) return;
    const world = node.getSkin() ? null : node.getWorldMatrix();
    const matrix = world && world.every(Number.isFinite) ? world : null;
    for (const primitive of mesh.listPrimitives()) {
      const position = primitive.getAttribute('POSITION');
      if (position) box.addBounds(positionBounds(position), matrix);
    }
  });
  if (box.empty) {
    for (const mesh of root.listMeshes()) {
      for (const primitive of mesh.listPrimitives()) {
        const position = primitive.getAttribute('POSITION');
        if (position) box.addBounds(positionBounds(position), null);
      }
    }
  }
  if (box.empty) throw new FileRejected('model_empty');
  return {
    vertexCount,
    triangleCount,
    boundingBox: { min: box.min.map(round) as Vec3, max: box.max.map(round) as Vec3 },
  };
}

/** Container checks, then the validator, then counts and bounds from the parsed document. */
export async function inspectGlb(glb: Buffer): Promise<ModelInfo> {
  checkGlbContainer(glb);
  await validateGlb(glb);
  const io = new NodeIO().setLogger(new Logger(Logger.Verbosity.SILENT));
  let document: Document;
  try {
    document = await io.readBinary(new Uint8Array(glb.buffer, glb.byteOffset, glb.length));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FileRejected('gltf_invalid', { details: message }, [message]);
  }
  return modelInfo(document);
}
