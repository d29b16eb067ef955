/**
 * A large, valid GLB made deterministically: one indexed triangle grid (a gently waved square, 1 m across)
 * with enough vertices to reach the size asked for. The same size always gives the same bytes.
 */
import { Document, Logger, NodeIO } from '@gltf-transform/core';

/** Bytes a grid of n × n vertices takes: float32 VEC3 positions plus uint32 indices of 2 (n-1)² triangles. */
const gridBytes = (n: number) => 12 * n * n + 24 * (n - 1) * (n - 1);

export async function bigGlb(targetBytes: number): Promise<Buffer> {
  let n = 2;
  while (gridBytes(n + 1) <= targetBytes) n++;

  const positions = new Float32Array(n * n * 3);
  for (let row = 0; row < n; row++) {
    for (let column = 0; column < n; column++) {
      const x = column / (n - 1) - 0.5;
      const z = row / (n - 1) - 0.5;
      const at = (row * n + column) * 3;
      positions[at] = x;
      positions[at + 1] = 0.02 * Math.sin(x * 12) * Math.cos(z * 9);
      positions[at + 2] = z;
    }
  }
  const indices = new Uint32Array((n - 1) * (n - 1) * 6);
  let next = 0;
  for (let row = 0; row < n - 1; row++) {
    for (let column = 0; column < n - 1; column++) {
      const a = row * n + column;
      const b = a + 1;
      const c = a + n;
      const d = c + 1;
      indices.set([a, c, b, b, c, d], next);
      next += 6;
    }
  }

  const document = new Document();
  document.setLogger(new Logger(Logger.Verbosity.SILENT));
  const buffer = document.createBuffer('grid');
  const position = document.createAccessor('position').setType('VEC3').setArray(positions).setBuffer(buffer);
  const index = document.createAccessor('indices').setType('SCALAR').setArray(indices).setBuffer(buffer);
  const material = document.createMaterial('bench').setBaseColorFactor([0.55, 0.6, 0.7, 1]);
  const primitive = document.createPrimitive().setAttribute('POSITION', position).setIndices(index).setMaterial(material);
  const mesh = document.createMesh('bench-grid').addPrimitive(primitive);
  const scene = document.createScene('bench').addChild(document.createNode('grid').setMesh(mesh));
  document.getRoot().setDefaultScene(scene);
  document.getRoot().getAsset().generator = 'KeyLab bench (file-download.ts)';
  const glb = await new NodeIO().writeBinary(document);
  return Buffer.from(glb.buffer, glb.byteOffset, glb.byteLength);
}
