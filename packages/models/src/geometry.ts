/**
 * Small mesh builder: surfaces made of grids of points, triangulated, each triangle wound so that its
 * face normal agrees with an "outward" hint, and vertex normals accumulated (area-weighted) within each
 * surface. Separate surfaces do not share vertices, which gives hard edges between them.
 */

export type Vec3 = [number, number, number];

export interface MeshData {
  readonly positions: Float32Array<ArrayBuffer>;
  readonly normals: Float32Array<ArrayBuffer>;
  readonly indices: Uint16Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;
}

/** Returns, for a point on the surface, a direction its outward normal should roughly agree with. */
export type Outward = Vec3 | ((point: Vec3) => Vec3);

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

export function normalize(v: Vec3): Vec3 {
  const length = Math.hypot(v[0], v[1], v[2]);
  return length > 0 ? [v[0] / length, v[1] / length, v[2] / length] : [0, 1, 0];
}

export class MeshBuilder {
  private readonly positions: number[] = [];
  private readonly normals: number[] = [];
  private readonly indices: number[] = [];

  /**
   * A surface through rows of points: quads between neighbouring rows and columns. `closed` joins the
   * last column to the first (a ring). Every row must have the same number of points.
   */
  grid(rows: readonly (readonly Vec3[])[], outward: Outward, options: { closed?: boolean } = {}): this {
    const columns = rows[0]?.length ?? 0;
    const quads: [number, number, number, number][] = [];
    const base = this.positions.length / 3;
    const points: Vec3[] = [];
    for (const row of rows) {
      if (row.length !== columns) throw new Error('grid rows differ in length');
      points.push(...row);
    }
    const spans = options.closed ? columns : columns - 1;
    for (let r = 0; r + 1 < rows.length; r++) {
      for (let c = 0; c < spans; c++) {
        const c1 = (c + 1) % columns;
        quads.push([r * columns + c, r * columns + c1, (r + 1) * columns + c1, (r + 1) * columns + c]);
      }
    }
    const triangles: [number, number, number][] = [];
    for (const [a, b, c, d] of quads) triangles.push([a, b, c], [a, c, d]);
    this.addSurface(base, points, triangles, outward);
    return this;
  }

  /** A flat (or nearly flat) convex polygon, fanned from its centroid. */
  polygon(ring: readonly Vec3[], outward: Outward): this {
    const base = this.positions.length / 3;
    const centroid: Vec3 = [0, 0, 0];
    for (const p of ring) for (let i = 0; i < 3; i++) centroid[i]! += p[i]! / ring.length;
    const points = [centroid, ...ring];
    const triangles: [number, number, number][] = [];
    for (let i = 0; i < ring.length; i++) triangles.push([0, 1 + i, 1 + ((i + 1) % ring.length)]);
    this.addSurface(base, points, triangles, outward);
    return this;
  }

  /** A flat quad a-b-c-d (in order around its edge). */
  quad(a: Vec3, b: Vec3, c: Vec3, d: Vec3, outward: Outward): this {
    const base = this.positions.length / 3;
    this.addSurface(
      base,
      [a, b, c, d],
      [
        [0, 1, 2],
        [0, 2, 3],
      ],
      outward,
    );
    return this;
  }

  /** A box from min to max corner, each face its own flat surface. */
  box(min: Vec3, max: Vec3): this {
    return this.frustum(min[1], max[1], [(min[0] + max[0]) / 2, (min[2] + max[2]) / 2], [max[0] - min[0], max[2] - min[2]]);
  }

  /**
   * A box whose top face is a smaller (or shifted) rectangle than its bottom: bottom at y0 centred on
   * `center` with size `[width, depth]`, top at y1 with `topSize` centred on `center + topOffset`.
   */
  frustum(
    y0: number,
    y1: number,
    center: [number, number],
    size: [number, number],
    topSize: [number, number] = size,
    topOffset: [number, number] = [0, 0],
  ): this {
    const [cx, cz] = center;
    const rect = (y: number, [w, d]: [number, number], [ox, oz]: [number, number]): Vec3[] => [
      [cx + ox - w / 2, y, cz + oz + d / 2],
      [cx + ox + w / 2, y, cz + oz + d / 2],
      [cx + ox + w / 2, y, cz + oz - d / 2],
      [cx + ox - w / 2, y, cz + oz - d / 2],
    ];
    const bottom = rect(y0, size, [0, 0]);
    const top = rect(y1, topSize, topOffset);
    const mid: Vec3 = [cx, (y0 + y1) / 2, cz];
    const away = (p: Vec3): Vec3 => sub(p, mid);
    for (let i = 0; i < 4; i++) {
      const j = (i + 1) % 4;
      this.quad(bottom[i]!, bottom[j]!, top[j]!, top[i]!, away);
    }
    this.quad(top[0]!, top[1]!, top[2]!, top[3]!, [0, 1, 0]);
    this.quad(bottom[0]!, bottom[1]!, bottom[2]!, bottom[3]!, [0, -1, 0]);
    return this;
  }

  /** A vertical cylinder (smooth side, flat caps). */
  cylinder(center: [number, number], radius: number, y0: number, y1: number, segments: number): this {
    const ring = (y: number): Vec3[] =>
      Array.from({ length: segments }, (_, i) => {
        const angle = (2 * Math.PI * i) / segments;
        return [center[0] + radius * Math.cos(angle), y, center[1] + radius * Math.sin(angle)] as Vec3;
      });
    const away = (p: Vec3): Vec3 => [p[0] - center[0], 0, p[2] - center[1]];
    this.grid([ring(y0), ring(y1)], away, { closed: true });
    this.polygon(ring(y1), [0, 1, 0]);
    this.polygon(ring(y0), [0, -1, 0]);
    return this;
  }

  private addSurface(base: number, points: readonly Vec3[], triangles: [number, number, number][], outward: Outward): void {
    const accumulated: Vec3[] = points.map(() => [0, 0, 0]);
    for (const triangle of triangles) {
      const [a, b, c] = triangle;
      const pa = points[a]!;
      const pb = points[b]!;
      const pc = points[c]!;
      let normal = cross(sub(pb, pa), sub(pc, pa));
      if (dot(normal, normal) === 0) throw new Error('degenerate triangle');
      const centroid: Vec3 = [(pa[0] + pb[0] + pc[0]) / 3, (pa[1] + pb[1] + pc[1]) / 3, (pa[2] + pb[2] + pc[2]) / 3];
      const hint = typeof outward === 'function' ? outward(centroid) : outward;
      if (dot(normal, hint) < 0) {
        triangle[1] = c;
        triangle[2] = b;
        normal = [-normal[0], -normal[1], -normal[2]];
      }
      for (const index of triangle) {
        const sum = accumulated[index]!;
        sum[0] += normal[0];
        sum[1] += normal[1];
        sum[2] += normal[2];
      }
      this.indices.push(base + triangle[0], base + triangle[1], base + triangle[2]);
    }
    points.forEach((point, i) => {
      this.positions.push(...point);
      this.normals.push(...normalize(accumulated[i]!));
    });
  }

  build(): MeshData {
    const vertexCount = this.positions.length / 3;
    return {
      positions: new Float32Array(this.positions),
      normals: new Float32Array(this.normals),
      indices: vertexCount <= 65535 ? new Uint16Array(this.indices) : new Uint32Array(this.indices),
    };
  }
}

/** Scales every position (for building in millimetres and storing in metres). */
export function scaled(mesh: MeshData, factor: number): MeshData {
  return { ...mesh, positions: mesh.positions.map((value) => value * factor) };
}

/**
 * Points of a rounded rectangle in the XZ plane at height y (or a height per point), always the same
 * count and order for the same `segments`, so two outlines can be joined by a grid.
 */
export function roundedRect(
  center: [number, number],
  half: [number, number],
  radius: number,
  segments: number,
  y: number | ((x: number, z: number) => number),
): Vec3[] {
  const points: Vec3[] = [];
  const corners: [number, number, number][] = [
    [half[0] - radius, half[1] - radius, 0],
    [-(half[0] - radius), half[1] - radius, Math.PI / 2],
    [-(half[0] - radius), -(half[1] - radius), Math.PI],
    [half[0] - radius, -(half[1] - radius), (3 * Math.PI) / 2],
  ];
  for (const [ox, oz, start] of corners) {
    for (let i = 0; i <= segments; i++) {
      const angle = start + (Math.PI / 2) * (i / segments);
      const x = center[0] + ox + radius * Math.cos(angle);
      const z = center[1] + oz + radius * Math.sin(angle);
      points.push([x, typeof y === 'number' ? y : y(x, z), z]);
    }
  }
  return points;
}
