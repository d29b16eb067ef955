/**
 * A neutral description of a model (a tree of named nodes with meshes), written to GLB by `gltf.ts` and
 * drawn into a preview by `render.ts`, so that the picture always shows the model.
 */
import type { Rgb } from './colors.ts';
import type { MeshData, Vec3 } from './geometry.ts';

export type Quat = [number, number, number, number];

export interface MaterialSpec {
  readonly name: string;
  /** sRGB, 0-255. */
  readonly color: Rgb;
  readonly metallic?: number;
  readonly roughness?: number;
}

export interface MeshSpec {
  readonly name: string;
  readonly parts: readonly { readonly data: MeshData; readonly material: MaterialSpec }[];
}

export interface NodeSpec {
  readonly name: string;
  readonly mesh?: MeshSpec;
  readonly translation?: Vec3;
  readonly rotation?: Quat;
  readonly extras?: Record<string, unknown>;
  readonly children?: readonly NodeSpec[];
}

export interface SceneSpec {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
}

/** A rotation about +X by `angle` radians, as a glTF quaternion [x, y, z, w]. */
export function rotationX(angle: number): Quat {
  return [Math.sin(angle / 2), 0, 0, Math.cos(angle / 2)];
}

/** A rigid transform: rotate, then translate. */
export interface Transform {
  readonly rotation: Quat;
  readonly translation: Vec3;
}

export const IDENTITY: Transform = { rotation: [0, 0, 0, 1], translation: [0, 0, 0] };

export function rotate([qx, qy, qz, qw]: Quat, [x, y, z]: Vec3): Vec3 {
  // v' = v + 2w (q x v) + 2 q x (q x v)
  const tx = 2 * (qy * z - qz * y);
  const ty = 2 * (qz * x - qx * z);
  const tz = 2 * (qx * y - qy * x);
  return [x + qw * tx + (qy * tz - qz * ty), y + qw * ty + (qz * tx - qx * tz), z + qw * tz + (qx * ty - qy * tx)];
}

function multiply([ax, ay, az, aw]: Quat, [bx, by, bz, bw]: Quat): Quat {
  return [
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
    aw * bw - ax * bx - ay * by - az * bz,
  ];
}

export function compose(parent: Transform, node: NodeSpec): Transform {
  const local = node.translation ?? [0, 0, 0];
  const moved = rotate(parent.rotation, local);
  return {
    rotation: node.rotation ? multiply(parent.rotation, node.rotation) : parent.rotation,
    translation: [parent.translation[0] + moved[0], parent.translation[1] + moved[1], parent.translation[2] + moved[2]],
  };
}

/** Every mesh of a scene with its world transform, depth first in node order. */
export function* meshInstances(scene: SceneSpec): Generator<{ mesh: MeshSpec; transform: Transform; node: NodeSpec }> {
  function* visit(node: NodeSpec, parent: Transform): Generator<{ mesh: MeshSpec; transform: Transform; node: NodeSpec }> {
    const transform = compose(parent, node);
    if (node.mesh) yield { mesh: node.mesh, transform, node };
    for (const child of node.children ?? []) yield* visit(child, transform);
  }
  for (const node of scene.nodes) yield* visit(node, IDENTITY);
}
