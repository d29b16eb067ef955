/**
 * A small deterministic software renderer for previews: orthographic camera, z-buffer, back-face
 * culling, Lambert plus Blinn-Phong shading, supersampled edges, a soft drop shadow on a gradient
 * background. Plain float arithmetic only, so the same scene gives the same pixels everywhere.
 */
import type { Rgb } from './colors.ts';
import type { Vec3 } from './geometry.ts';
import { type SceneSpec, meshInstances, rotate } from './scene.ts';

export interface View {
  readonly width: number;
  readonly height: number;
  /** Camera direction: degrees around +Y (0 = from the front, +Z) and above the horizon. */
  readonly yaw: number;
  readonly pitch: number;
  /** Empty border, in pixels. */
  readonly margin: number;
  /** Background gradient, top to bottom (sRGB). */
  readonly background: readonly [Rgb, Rgb];
  readonly supersample?: number;
}

interface Shaded {
  readonly color: Vec3; // linear
  readonly metallic: number;
  readonly shininess: number;
  readonly specular: number;
}

const toLinear = (channel: number): number => {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
/** Linear light to an sRGB byte, through a table of 4096 steps (plenty for 8-bit output). */
const SRGB_TABLE = Uint8Array.from({ length: 4097 }, (_, i) => {
  const c = i / 4096;
  return Math.round(255 * (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055));
});
const toSrgb = (linear: number): number => SRGB_TABLE[Math.round(Math.max(0, Math.min(1, linear)) * 4096)]!;
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const normalize = (v: Vec3): Vec3 => {
  const length = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) || 1;
  return [v[0] / length, v[1] / length, v[2] / length];
};
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

const KEY_LIGHT = normalize([-0.65, 0.62, 0.42]);
/** Samples this close outside a triangle (in barycentric terms) still count: no cracks along shared edges. */
const EDGE_TOLERANCE = 1e-6;
const FILL_LIGHT = normalize([0.6, 0.35, 0.7]);

/** Renders a scene into RGB bytes (width x height x 3). */
export function renderScene(scene: SceneSpec, view: View): Uint8Array {
  const ss = view.supersample ?? 3;
  const W = view.width * ss;
  const H = view.height * ss;
  const yaw = (view.yaw * Math.PI) / 180;
  const pitch = (view.pitch * Math.PI) / 180;
  const toCamera: Vec3 = [Math.sin(yaw) * Math.cos(pitch), Math.sin(pitch), Math.cos(yaw) * Math.cos(pitch)];
  const right = normalize(cross([0, 1, 0], toCamera));
  const up = cross(toCamera, right);
  const halfway = normalize([KEY_LIGHT[0] + toCamera[0], KEY_LIGHT[1] + toCamera[1], KEY_LIGHT[2] + toCamera[2]]);

  // World-space triangles.
  interface Triangle {
    p: [Vec3, Vec3, Vec3];
    n: [Vec3, Vec3, Vec3];
    material: Shaded;
  }
  const triangles: Triangle[] = [];
  for (const { mesh, transform } of meshInstances(scene)) {
    for (const part of mesh.parts) {
      const { positions, normals, indices } = part.data;
      const roughness = part.material.roughness ?? 0.6;
      const material: Shaded = {
        color: part.material.color.map(toLinear) as Vec3,
        metallic: part.material.metallic ?? 0,
        shininess: 4 + 120 * (1 - roughness) ** 2,
        specular: (0.15 + 0.6 * (1 - roughness)) * 4,
      };
      const world = (i: number): Vec3 => {
        const p = rotate(transform.rotation, [positions[i * 3]!, positions[i * 3 + 1]!, positions[i * 3 + 2]!]);
        return [p[0] + transform.translation[0], p[1] + transform.translation[1], p[2] + transform.translation[2]];
      };
      const normal = (i: number): Vec3 => rotate(transform.rotation, [normals[i * 3]!, normals[i * 3 + 1]!, normals[i * 3 + 2]!]);
      for (let t = 0; t < indices.length; t += 3) {
        const [a, b, c] = [indices[t]!, indices[t + 1]!, indices[t + 2]!];
        triangles.push({ p: [world(a), world(b), world(c)], n: [normal(a), normal(b), normal(c)], material });
      }
    }
  }

  // Fit the projection to the picture.
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const triangle of triangles) {
    for (const p of triangle.p) {
      const x = dot(p, right);
      const y = -dot(p, up);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const scale = Math.min((W - 2 * view.margin * ss) / (maxX - minX || 1), (H - 2 * view.margin * ss) / (maxY - minY || 1));
  const offsetX = W / 2 - ((minX + maxX) / 2) * scale;
  const offsetY = H / 2 - ((minY + maxY) / 2) * scale;

  // Rasterize: per sample, the nearest surface's normal and material (shaded once, afterwards).
  const depth = new Float32Array(W * H).fill(-Infinity);
  const normalBuffer = new Float32Array(W * H * 3);
  const materialBuffer = new Int32Array(W * H).fill(-1);
  const materials: Shaded[] = [];
  const materialIndex = new Map<Shaded, number>();
  for (const { p, n, material } of triangles) {
    const face = cross(
      [p[1][0] - p[0][0], p[1][1] - p[0][1], p[1][2] - p[0][2]],
      [p[2][0] - p[0][0], p[2][1] - p[0][1], p[2][2] - p[0][2]],
    );
    if (dot(face, toCamera) <= 0) continue; // back face
    let id = materialIndex.get(material);
    if (id === undefined) {
      id = materials.push(material) - 1;
      materialIndex.set(material, id);
    }
    const [x0, x1, x2] = p.map((q) => dot(q, right) * scale + offsetX) as [number, number, number];
    const [y0, y1, y2] = p.map((q) => -dot(q, up) * scale + offsetY) as [number, number, number];
    const [z0, z1, z2] = p.map((q) => dot(q, toCamera)) as [number, number, number];
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (area === 0) continue;
    // Barycentric weights are affine in (x, y): w = a + b x + c y.
    const edges: [number, number, number][] = [
      [(x1 * y2 - x2 * y1) / area, (y1 - y2) / area, (x2 - x1) / area],
      [(x2 * y0 - x0 * y2) / area, (y2 - y0) / area, (x0 - x2) / area],
      [(x0 * y1 - x1 * y0) / area, (y0 - y1) / area, (x1 - x0) / area],
    ];
    const [e0, e1] = edges as [[number, number, number], [number, number, number]];
    const [n0, n1, n2] = n;
    const top = Math.max(0, Math.floor(Math.min(y0, y1, y2)));
    const bottom = Math.min(H - 1, Math.ceil(Math.max(y0, y1, y2)));
    for (let y = top; y <= bottom; y++) {
      const py = y + 0.5;
      // The span of pixel centres inside all three edges on this row.
      let lo = 0;
      let hi = W - 1;
      for (const [a, b, c] of edges) {
        const value = a + c * py;
        // One pixel of slack each way: the weights below decide, with the same tolerance everywhere.
        if (b > 0) lo = Math.max(lo, Math.ceil(-value / b - 0.5) - 1);
        else if (b < 0) hi = Math.min(hi, Math.floor(-value / b - 0.5) + 1);
        else if (value < -EDGE_TOLERANCE) hi = -1;
      }
      for (let x = lo; x <= hi; x++) {
        const px = x + 0.5;
        const w0 = e0[0] + e0[1] * px + e0[2] * py;
        const w1 = e1[0] + e1[1] * px + e1[2] * py;
        const w2 = 1 - w0 - w1;
        if (w0 < -EDGE_TOLERANCE || w1 < -EDGE_TOLERANCE || w2 < -EDGE_TOLERANCE) continue;
        const z = w0 * z0 + w1 * z1 + w2 * z2;
        const index = y * W + x;
        if (z <= depth[index]!) continue;
        depth[index] = z;
        materialBuffer[index] = id;
        normalBuffer[index * 3] = w0 * n0[0] + w1 * n1[0] + w2 * n2[0];
        normalBuffer[index * 3 + 1] = w0 * n0[1] + w1 * n1[1] + w2 * n2[1];
        normalBuffer[index * 3 + 2] = w0 * n0[2] + w1 * n1[2] + w2 * n2[2];
      }
    }
  }

  // Shade each visible sample, average the samples of each pixel in linear light, note the coverage.
  const { width, height } = view;
  const coverage = new Float32Array(width * height);
  const object = new Uint8Array(width * height * 3);
  const shaded = new Float64Array(3);
  /** Shades a unit-less normal (normalized here) with a material into `shaded`, weighted. */
  const lit = (material: Shaded, nx: number, ny: number, nz: number, weight: number): void => {
    const length = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
    nx /= length;
    ny /= length;
    nz /= length;
    const sky = 0.5 + 0.5 * ny;
    const key = Math.max(0, nx * KEY_LIGHT[0] + ny * KEY_LIGHT[1] + nz * KEY_LIGHT[2]);
    const fill = Math.max(0, nx * FILL_LIGHT[0] + ny * FILL_LIGHT[1] + nz * FILL_LIGHT[2]);
    const diffuse =
      (0.18 + 0.22 * sky + 0.85 * key + 0.25 * fill) * (1 - 0.6 * material.metallic) + 0.25 * material.metallic * sky;
    const facing = Math.max(0, nx * halfway[0] + ny * halfway[1] + nz * halfway[2]);
    const specular = key > 0 ? facing ** material.shininess * material.specular : 0;
    const tint = 0.04 * (1 - material.metallic);
    for (let c = 0; c < 3; c++) {
      const base = material.color[c]!;
      shaded[c] = shaded[c]! + weight * (base * diffuse + specular * (tint + base * material.metallic));
    }
  };
  const samples = ss * ss;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Covered samples; when they all show one material and face one way (most pixels), shade once.
      let covered = 0;
      let first = -1;
      let uniform = true;
      let nx = 0;
      let ny = 0;
      let nz = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const index = (y * ss + sy) * W + x * ss + sx;
          const id = materialBuffer[index]!;
          if (id === -1) continue;
          covered++;
          if (first === -1) first = id;
          else if (id !== first) uniform = false;
          nx += normalBuffer[index * 3]!;
          ny += normalBuffer[index * 3 + 1]!;
          nz += normalBuffer[index * 3 + 2]!;
        }
      }
      const i = y * width + x;
      coverage[i] = covered / samples;
      if (covered === 0) continue;
      shaded.fill(0);
      // Shading the mean normal is only right when the normals agree (not across a hard edge).
      if (uniform && Math.sqrt(nx * nx + ny * ny + nz * nz) > 0.995 * covered) lit(materials[first]!, nx, ny, nz, 1);
      else {
        for (let sy = 0; sy < ss; sy++) {
          for (let sx = 0; sx < ss; sx++) {
            const index = (y * ss + sy) * W + x * ss + sx;
            const id = materialBuffer[index]!;
            if (id === -1) continue;
            lit(
              materials[id]!,
              normalBuffer[index * 3]!,
              normalBuffer[index * 3 + 1]!,
              normalBuffer[index * 3 + 2]!,
              1 / covered,
            );
          }
        }
      }
      object[i * 3] = toSrgb(shaded[0]!);
      object[i * 3 + 1] = toSrgb(shaded[1]!);
      object[i * 3 + 2] = toSrgb(shaded[2]!);
    }
  }

  const shadow = blur(
    shifted(coverage, width, height, Math.round(height * 0.025)),
    width,
    height,
    Math.max(2, Math.round(height / 60)),
  );
  const out = new Uint8Array(width * height * 3);
  const [topColor, bottomColor] = view.background;
  for (let y = 0; y < height; y++) {
    const t = y / (height - 1);
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const darken = 1 - 0.32 * shadow[i]!;
      const cover = coverage[i]!;
      for (let c = 0; c < 3; c++) {
        const background = (topColor[c]! + (bottomColor[c]! - topColor[c]!) * t) * darken;
        out[i * 3 + c] = Math.round(background * (1 - cover) + object[i * 3 + c]! * cover);
      }
    }
  }
  return out;
}

function shifted(mask: Float32Array, width: number, height: number, down: number): Float32Array {
  const out = new Float32Array(mask.length);
  for (let y = down; y < height; y++) out.set(mask.subarray((y - down) * width, (y - down + 1) * width), y * width);
  return out;
}

/** Three passes of a separable box blur (close to a Gaussian), with clamped edges. */
function blur(mask: Float32Array, width: number, height: number, radius: number): Float32Array {
  const line = (source: Float32Array, target: Float32Array, start: number, step: number, count: number): void => {
    const at = (k: number): number => source[start + Math.min(count - 1, Math.max(0, k)) * step]!;
    let sum = 0;
    for (let k = -radius; k <= radius; k++) sum += at(k);
    for (let k = 0; k < count; k++) {
      target[start + k * step] = sum / (2 * radius + 1);
      sum += at(k + radius + 1) - at(k - radius);
    }
  };
  let current = mask;
  for (let pass = 0; pass < 3; pass++) {
    const horizontal = new Float32Array(current.length);
    for (let y = 0; y < height; y++) line(current, horizontal, y * width, 1, width);
    const vertical = new Float32Array(current.length);
    for (let x = 0; x < width; x++) line(horizontal, vertical, x, width, height);
    current = vertical;
  }
  return current;
}
