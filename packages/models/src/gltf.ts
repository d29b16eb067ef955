/** Writing a {@link SceneSpec} as a glTF 2.0 binary (GLB) with glTF-Transform: one buffer, PBR materials. */
import { type Accessor, Document, type Material, type Node, NodeIO } from '@gltf-transform/core';
import { linearFactor } from './colors.ts';
import type { MeshData, Vec3 } from './geometry.ts';
import type { MaterialSpec, MeshSpec, NodeSpec, SceneSpec } from './scene.ts';

export const GENERATOR = 'KeyLab models generator (glTF-Transform)';

interface Accessors {
  readonly position: Accessor;
  readonly normal: Accessor;
  readonly indices: Accessor;
}

/**
 * The GLB of a scene. Meshes whose parts reuse the same {@link MeshData} object share its accessors, so
 * vertex data is written once however many keycaps use it; materials are shared by name.
 */
export async function writeGlb(scene: SceneSpec): Promise<Uint8Array> {
  const document = new Document();
  document.getRoot().getAsset().generator = GENERATOR;
  const buffer = document.createBuffer();
  const materials = new Map<string, Material>();
  const accessors = new Map<MeshData, Accessors>();

  const materialOf = (spec: MaterialSpec): Material => {
    let material = materials.get(spec.name);
    if (!material) {
      material = document
        .createMaterial(spec.name)
        .setBaseColorFactor(linearFactor(spec.color))
        .setMetallicFactor(spec.metallic ?? 0)
        .setRoughnessFactor(spec.roughness ?? 0.6);
      materials.set(spec.name, material);
    }
    return material;
  };
  const accessorsOf = (data: MeshData): Accessors => {
    let found = accessors.get(data);
    if (!found) {
      found = {
        position: document.createAccessor().setType('VEC3').setArray(data.positions).setBuffer(buffer),
        normal: document.createAccessor().setType('VEC3').setArray(data.normals).setBuffer(buffer),
        indices: document.createAccessor().setType('SCALAR').setArray(data.indices).setBuffer(buffer),
      };
      accessors.set(data, found);
    }
    return found;
  };
  const meshOf = (spec: MeshSpec) => {
    const mesh = document.createMesh(spec.name);
    for (const part of spec.parts) {
      const { position, normal, indices } = accessorsOf(part.data);
      mesh.addPrimitive(
        document
          .createPrimitive()
          .setAttribute('POSITION', position)
          .setAttribute('NORMAL', normal)
          .setIndices(indices)
          .setMaterial(materialOf(part.material)),
      );
    }
    return mesh;
  };
  const nodeOf = (spec: NodeSpec): Node => {
    const node = document.createNode(spec.name);
    if (spec.mesh) node.setMesh(meshOf(spec.mesh));
    if (spec.translation) node.setTranslation(spec.translation.map(round) as Vec3);
    if (spec.rotation) node.setRotation(spec.rotation);
    if (spec.extras) node.setExtras(spec.extras);
    for (const child of spec.children ?? []) node.addChild(nodeOf(child));
    return node;
  };

  const root = document.createScene(scene.name);
  for (const node of scene.nodes) root.addChild(nodeOf(node));
  document.getRoot().setDefaultScene(root);
  return new Uint8Array(await new NodeIO().writeBinary(document));
}

/** Rounds to a tenth of a micrometre: keeps the JSON short and free of float noise. */
function round(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}
