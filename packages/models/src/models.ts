/** The models as scenes: cases, keycaps, kits, switches and whole keyboards. */
import { type Palette, hexToRgb } from './colors.ts';
import type { MeshData } from './geometry.ts';
import { KEY_UNIT_MM, type KeyGroup, type Layout, type LayoutKey, type SwitchSpec } from './layouts.ts';
import { type MaterialSpec, type MeshSpec, type NodeSpec, type SceneSpec, rotationX } from './scene.ts';
import { KEYCAP_SEAT, caseGeometry, keycapMesh, switchGeometry } from './shapes.ts';

const UNIT = KEY_UNIT_MM / 1000;

function keycapMaterial(group: KeyGroup, palette: Palette): MaterialSpec {
  return { name: `keycap-${group}`, color: palette.keys[group], roughness: 0.72 };
}

/** Keycap meshes, one per distinct shape (width, height, profile row), so a keyboard writes each once. */
const keycapShapes = new Map<string, MeshData>();

function keycapShape(key: LayoutKey): MeshData {
  const id = `${key.width}x${key.height}R${key.profile}`;
  let mesh = keycapShapes.get(id);
  if (!mesh) {
    mesh = keycapMesh(key.width, key.height, key.profile);
    keycapShapes.set(id, mesh);
  }
  return mesh;
}

function keycapMeshSpec(key: LayoutKey, palette: Palette): MeshSpec {
  return { name: `keycap:${key.name}`, parts: [{ data: keycapShape(key), material: keycapMaterial(key.group, palette) }] };
}

function keyExtras(key: LayoutKey): Record<string, unknown> {
  return { key: key.name, row: key.row, x: key.x, y: key.y, width: key.width, height: key.height };
}

/** One keycap on its own, origin at the centre of its bottom face. */
export function keycapScene(layout: Layout, key: LayoutKey, palette: Palette): SceneSpec {
  return {
    name: `Keycap ${key.name} (${layout.title})`,
    nodes: [{ name: `keycap:${key.name}`, mesh: keycapMeshSpec(key, palette), extras: keyExtras(key) }],
  };
}

/** Keycap nodes at their places on the key grid (centred on the origin; x right, z towards the typist). */
function keycapNodes(layout: Layout, palette: Palette, seat: number): NodeSpec[] {
  const gridW = layout.width * UNIT;
  const gridD = layout.height * UNIT;
  return layout.keys.map((key) => ({
    name: `keycap:${key.name}`,
    mesh: keycapMeshSpec(key, palette),
    translation: [(key.x + key.width / 2) * UNIT - gridW / 2, seat, (key.y + key.height / 2) * UNIT - gridD / 2],
    extras: keyExtras(key),
  }));
}

/** A whole kit laid out flat (for its preview): every keycap of the layout, no case. */
export function kitScene(layout: Layout, palette: Palette): SceneSpec {
  return { name: `Kit ${layout.title}`, nodes: keycapNodes(layout, palette, 0) };
}

function caseMesh(layout: Layout, palette: Palette): { mesh: MeshSpec; geometry: ReturnType<typeof caseGeometry> } {
  const geometry = caseGeometry(layout);
  return {
    geometry,
    mesh: {
      name: `case:${layout.title}`,
      parts: [
        { data: geometry.shell, material: { name: 'case', color: palette.caseColor, metallic: 0.15, roughness: 0.5 } },
        { data: geometry.plate, material: { name: 'plate', color: palette.plate, metallic: 0.85, roughness: 0.38 } },
        { data: geometry.cutouts, material: { name: 'cutout', color: [24, 25, 28], roughness: 0.9 } },
      ],
    },
  };
}

/** A case for a layout, bottom at y = 0, centred on x and z, front towards +z. */
export function caseScene(layout: Layout, palette: Palette): SceneSpec {
  const { mesh, geometry } = caseMesh(layout, palette);
  return {
    name: `Case ${layout.title}`,
    nodes: [{ name: `case:${layout.title}`, mesh, extras: { layout: layout.title, tiltRadians: round(geometry.tilt) } }],
  };
}

/**
 * A whole keyboard: the case, and under a tilted "plate" node every keycap of the layout where its
 * switch would hold it. Keycaps of one shape share their vertex data; each has its own node and mesh.
 */
export function keyboardScene(layout: Layout, palette: Palette): SceneSpec {
  const { mesh, geometry } = caseMesh(layout, palette);
  return {
    name: `Keyboard ${layout.title}`,
    nodes: [
      {
        name: `keyboard:${layout.title}`,
        extras: { layout: layout.title, keys: layout.keys.length },
        children: [
          { name: `case:${layout.title}`, mesh },
          {
            name: 'plate',
            translation: geometry.plateOrigin,
            rotation: rotationX(geometry.tilt),
            children: keycapNodes(layout, palette, KEYCAP_SEAT),
          },
        ],
      },
    ],
  };
}

const switchParts = switchGeometry();

/** A switch: housing, stem in the switch's colour, centre post and pins; the plate's top is y = 0. */
export function switchScene(spec: SwitchSpec): SceneSpec {
  const parts: [string, MeshData, MaterialSpec][] = [
    ['housing-bottom', switchParts.bottomHousing, { name: 'housing-bottom', color: hexToRgb('#2a2b2e'), roughness: 0.55 }],
    ['housing-top', switchParts.topHousing, { name: 'housing-top', color: hexToRgb('#55585f'), roughness: 0.35 }],
    ['stem', switchParts.stem, { name: `stem-${spec.fileName}`, color: hexToRgb(spec.stemColor), roughness: 0.45 }],
    ['pins', switchParts.pins, { name: 'pins', color: hexToRgb('#c8a24a'), metallic: 1, roughness: 0.3 }],
  ];
  return {
    name: `Switch ${spec.title}`,
    nodes: [
      {
        name: `switch:${spec.title}`,
        extras: { kind: spec.kind },
        children: parts.map(([part, data, material]) => ({
          name: `switch:${spec.title}:${part}`,
          mesh: { name: `switch:${spec.title}:${part}`, parts: [{ data, material }] },
        })),
      },
    ],
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
