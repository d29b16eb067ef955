// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the module has no types; every workspace that type-checks this file needs the declaration
/// <reference path="./draco3dgltf.d.ts" />
/** Facts about any glTF binary (GLB): vertex and triangle counts and its bounding box. */
import { type Document, type Node, NodeIO } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder } from 'meshoptimizer';
import type { Vec3 } from './geometry.ts';

export interface ModelStats {
  /** Vertices drawn by the default scene: each mesh counted once per node that shows it. */
  readonly vertexCount: number;
  /** Triangles drawn by the default scene (triangle lists, strips and fans; points and lines count none). */
  readonly triangleCount: number;
  /** Axis-aligned bounding box of the default scene in its own units (metres for glTF), or null if it draws nothing. */
  readonly bounds: { readonly min: Vec3; readonly max: Vec3 } | null;
  readonly nodeCount: number;
  readonly meshCount: number;
  readonly materialCount: number;
}

/** glTF primitive modes that draw triangles. */
const TRIANGLES = 4;
const TRIANGLE_STRIP = 5;
const TRIANGLE_FAN = 6;

let reader: Promise<NodeIO> | undefined;

/** A reader that understands every extension glTF-Transform knows, Draco and meshopt compression included. */
function io(): Promise<NodeIO> {
  reader ??= (async () => {
    await MeshoptDecoder.ready;
    return new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({
      'draco3d.decoder': await draco3d.createDecoderModule(),
      'meshopt.decoder': MeshoptDecoder,
    });
  })();
  return reader;
}

/** Reads a GLB into a glTF-Transform document (throws on anything that is not a readable GLB). */
export async function readGlb(glb: Uint8Array): Promise<Document> {
  return (await io()).readBinary(glb);
}

/**
 * Counts the vertices and triangles of a GLB's default scene (or its first scene, or, with none, every
 * root node) and measures its world-space bounding box. Throws if the bytes are not a GLB it can read.
 */
export async function modelStats(glb: Uint8Array): Promise<ModelStats> {
  const document = await readGlb(glb);
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  const roots = scene ? scene.listChildren() : root.listNodes().filter((node) => node.getParentNode() === null);

  let vertexCount = 0;
  let triangleCount = 0;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  const element: number[] = [];
  const visit = (node: Node): void => {
    const mesh = node.getMesh();
    if (mesh) {
      const m = node.getWorldMatrix();
      for (const primitive of mesh.listPrimitives()) {
        const position = primitive.getAttribute('POSITION');
        if (!position) continue;
        const count = position.getCount();
        vertexCount += count;
        const elements = primitive.getIndices()?.getCount() ?? count;
        const mode = primitive.getMode();
        if (mode === TRIANGLES) triangleCount += Math.floor(elements / 3);
        else if (mode === TRIANGLE_STRIP || mode === TRIANGLE_FAN) {
          triangleCount += Math.max(0, elements - 2);
        }
        for (let i = 0; i < count; i++) {
          const [x = 0, y = 0, z = 0] = position.getElement(i, element);
          const world: Vec3 = [
            m[0] * x + m[4] * y + m[8] * z + m[12],
            m[1] * x + m[5] * y + m[9] * z + m[13],
            m[2] * x + m[6] * y + m[10] * z + m[14],
          ];
          for (let axis = 0; axis < 3; axis++) {
            min[axis] = Math.min(min[axis]!, world[axis]!);
            max[axis] = Math.max(max[axis]!, world[axis]!);
          }
        }
      }
    }
    for (const child of node.listChildren()) visit(child);
  };
  for (const node of roots) visit(node);

  return {
    vertexCount,
    triangleCount,
    bounds: vertexCount > 0 ? { min, max } : null,
    nodeCount: root.listNodes().length,
    meshCount: root.listMeshes().length,
    materialCount: root.listMaterials().length,
  };
}
