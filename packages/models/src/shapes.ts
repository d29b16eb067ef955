/** The shapes: keycaps, cases and switches, built in millimetres and returned in metres (+Y up). */
import { MeshBuilder, type MeshData, type Vec3, roundedRect, scaled } from './geometry.ts';
import { KEY_UNIT_MM, type Layout, type ProfileRow } from './layouts.ts';

const MM = 0.001;

/** Heights (mm) of a keycap's top at its front and back edge, per sculpted row (OEM-like). */
const PROFILE_HEIGHTS: Record<ProfileRow, [front: number, back: number]> = {
  1: [10.6, 12.2],
  2: [9.6, 10.7],
  3: [9.0, 9.4],
  4: [9.7, 8.9],
};

/**
 * A keycap: a tapered box whose top is a shallow spherical-ish dish, origin at the centre of its bottom.
 * `width` and `height` are in key units (height = depth on the board).
 */
export function keycapMesh(width: number, height: number, profile: ProfileRow): MeshData {
  const bottomW = width * KEY_UNIT_MM - 1.0;
  const bottomD = height * KEY_UNIT_MM - 1.0;
  const topW = bottomW - 5.6;
  const topD = bottomD - 5.2;
  const topShiftZ = -0.7; // the top leans back a little, as on real caps
  const [front, back] = PROFILE_HEIGHTS[profile];
  const dish = width >= 6 ? 0.5 : width >= 2 ? 0.8 : 1.0;
  const columns = width >= 2 ? 9 : 5;
  const rowsCount = height >= 2 ? 7 : 5;

  const topY = (z: number): number => front + ((back - front) * (topD / 2 - (z - topShiftZ))) / topD;
  const rows: Vec3[][] = [];
  for (let r = 0; r < rowsCount; r++) {
    const v = r / (rowsCount - 1); // 0 = back, 1 = front
    const uz = 2 * v - 1;
    const z = topShiftZ - topD / 2 + topD * v;
    const row: Vec3[] = [];
    for (let c = 0; c < columns; c++) {
      const u = c / (columns - 1);
      const ux = 2 * u - 1;
      const x = -topW / 2 + topW * u;
      row.push([x, topY(z) - dish * (1 - ux * ux) * (1 - uz * uz), z]);
    }
    rows.push(row);
  }

  const builder = new MeshBuilder();
  builder.grid(rows, [0, 1, 0]);
  // Corners of the top (back-left, back-right, front-right, front-left) and of the bottom.
  const top: Vec3[] = [rows[0]![0]!, rows[0]![columns - 1]!, rows[rowsCount - 1]![columns - 1]!, rows[rowsCount - 1]![0]!];
  const bottom: Vec3[] = [
    [-bottomW / 2, 0, -bottomD / 2],
    [bottomW / 2, 0, -bottomD / 2],
    [bottomW / 2, 0, bottomD / 2],
    [-bottomW / 2, 0, bottomD / 2],
  ];
  const sides: Vec3[] = [
    [0, 0, -1],
    [1, 0, 0],
    [0, 0, 1],
    [-1, 0, 0],
  ];
  for (let i = 0; i < 4; i++) {
    const j = (i + 1) % 4;
    builder.quad(bottom[i]!, bottom[j]!, top[j]!, top[i]!, sides[i]!);
  }
  builder.quad(bottom[0]!, bottom[1]!, bottom[2]!, bottom[3]!, [0, -1, 0]);
  return scaled(builder.build(), MM);
}

/** Everything about a case's shape that the keyboard needs to place its keycaps. */
export interface CaseGeometry {
  readonly shell: MeshData;
  readonly plate: MeshData;
  /** The plate's switch and stabilizer cut-outs, drawn as dark patches just above the plate. */
  readonly cutouts: MeshData;
  /** Where the key grid's plate frame is: translation (m) and tilt about X (radians, front down). */
  readonly plateOrigin: Vec3;
  readonly tilt: number;
  /** Size of the key grid (m). */
  readonly gridSize: [number, number];
  /** Outer size (m): width, depth, and height at the back. */
  readonly outerSize: Vec3;
}

const CASE = {
  gridMargin: 1.5,
  bezel: 9,
  outerRadius: 6,
  innerRadius: 1.5,
  bevel: 1.5,
  frontHeight: 15,
  tiltDegrees: 5,
  recessDepth: 7.5,
  cornerSegments: 6,
};

/**
 * A keyboard case for a layout: a rounded slab with a bevelled top edge, a typing tilt, and a recess
 * (the plate) sized to the key grid. Two meshes: the shell, and the plate floor (a separate material).
 */
export function caseGeometry(layout: Layout): CaseGeometry {
  const gridW = layout.width * KEY_UNIT_MM;
  const gridD = layout.height * KEY_UNIT_MM;
  const inner: [number, number] = [gridW / 2 + CASE.gridMargin, gridD / 2 + CASE.gridMargin];
  const outer: [number, number] = [inner[0] + CASE.bezel, inner[1] + CASE.bezel];
  const slope = Math.tan((CASE.tiltDegrees * Math.PI) / 180);
  const topAt = (z: number): number => CASE.frontHeight + (outer[1] - z) * slope;
  const seg = CASE.cornerSegments;

  const bottomRing = roundedRect([0, 0], outer, CASE.outerRadius, seg, 0);
  const wallTop = roundedRect([0, 0], outer, CASE.outerRadius, seg, (_x, z) => topAt(z) - CASE.bevel);
  const bevelTop = roundedRect(
    [0, 0],
    [outer[0] - CASE.bevel, outer[1] - CASE.bevel],
    CASE.outerRadius - CASE.bevel,
    seg,
    (_x, z) => topAt(z),
  );
  const recessTop = roundedRect([0, 0], inner, CASE.innerRadius, seg, (_x, z) => topAt(z));
  const recessBottom = roundedRect([0, 0], inner, CASE.innerRadius, seg, (_x, z) => topAt(z) - CASE.recessDepth);

  const outward = (p: Vec3): Vec3 => [p[0], 0, p[2]];
  const inward = (p: Vec3): Vec3 => [-p[0], 0, -p[2]];
  const up: Vec3 = [0, 1, 0];
  const shell = new MeshBuilder()
    .grid([bottomRing, wallTop], outward, { closed: true })
    .grid([wallTop, bevelTop], (p) => [p[0], Math.hypot(p[0], p[2]), p[2]], { closed: true })
    .grid([bevelTop, recessTop], up, { closed: true })
    .grid([recessTop, recessBottom], inward, { closed: true })
    .polygon(bottomRing, [0, -1, 0])
    .build();
  const plate = new MeshBuilder().polygon(recessBottom, up).build();

  const cutouts = new MeshBuilder();
  const plateY = (z: number): number => topAt(z) - CASE.recessDepth + 0.2;
  const hole = (cx: number, cz: number, w: number, d: number): void => {
    const corner = (x: number, z: number): Vec3 => [x, plateY(z), z];
    cutouts.quad(
      corner(cx - w / 2, cz - d / 2),
      corner(cx + w / 2, cz - d / 2),
      corner(cx + w / 2, cz + d / 2),
      corner(cx - w / 2, cz + d / 2),
      up,
    );
  };
  for (const key of layout.keys) {
    const cx = (key.x + key.width / 2) * KEY_UNIT_MM - gridW / 2;
    const cz = (key.y + key.height / 2) * KEY_UNIT_MM - gridD / 2;
    hole(cx, cz, 14, 14);
    // Stabilizers of long keys: wire-stabilizer housings either side of the switch.
    const long = Math.max(key.width, key.height);
    if (long >= 2) {
      const spread = long >= 7 ? 57.15 : long >= 6 ? 50 : 11.9;
      const along = key.width >= key.height;
      for (const side of [-1, 1]) {
        if (along) hole(cx + (side * spread) / 2, cz + 0.8, 6.7, 12.3);
        else hole(cx + 0.8, cz + (side * spread) / 2, 12.3, 6.7);
      }
    }
  }

  return {
    shell: scaled(shell, MM),
    plate: scaled(plate, MM),
    cutouts: scaled(cutouts.build(), MM),
    plateOrigin: [0, (topAt(0) - CASE.recessDepth) * MM, 0],
    tilt: Math.atan(slope),
    gridSize: [gridW * MM, gridD * MM],
    outerSize: [outer[0] * 2 * MM, outer[1] * 2 * MM, topAt(-outer[1]) * MM],
  };
}

/** Height (m) above the plate at which a keycap's bottom sits (the top of a switch). */
export const KEYCAP_SEAT = 6.2 * MM;

export interface SwitchGeometry {
  readonly bottomHousing: MeshData;
  readonly topHousing: MeshData;
  readonly stem: MeshData;
  readonly pins: MeshData;
}

/** A Cherry MX-style switch: bottom and top housing, cross stem, centre post and two pins; plate at y=0. */
export function switchGeometry(): SwitchGeometry {
  const bottomHousing = new MeshBuilder()
    .frustum(0, 5, [0, 0], [15.6, 15.6], [15.2, 15.2])
    .cylinder([0, 0], 2, -3.3, 0, 16)
    .build();
  const topHousing = new MeshBuilder().frustum(5, 11.2, [0, 0], [14.6, 14.6], [10.8, 11.4], [0, -0.3]).build();
  const arm = (4.1 - 1.3) / 2;
  const stem = new MeshBuilder()
    .frustum(11.2 - 0.4, 11.6, [0, -0.3], [5.6, 5.6]) // the slider's collar, just showing above the housing
    .box([-2.05, 11.6, -0.65 - 0.3], [2.05, 15.2, 0.65 - 0.3])
    .box([-0.6, 11.6, 0.65 - 0.3], [0.6, 15.2, 0.65 + arm - 0.3])
    .box([-0.6, 11.6, -0.65 - arm - 0.3], [0.6, 15.2, -0.65 - 0.3])
    .build();
  const pins = new MeshBuilder()
    .box([-3.81 - 0.3, -3.3, -2.54 - 0.3], [-3.81 + 0.3, 0, -2.54 + 0.3])
    .box([2.54 - 0.3, -3.3, -5.08 - 0.3], [2.54 + 0.3, 0, -5.08 + 0.3])
    .build();
  return {
    bottomHousing: scaled(bottomHousing, MM),
    topHousing: scaled(topHousing, MM),
    stem: scaled(stem, MM),
    pins: scaled(pins, MM),
  };
}
