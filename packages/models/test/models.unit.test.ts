import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, NodeIO, Primitive } from '@gltf-transform/core';
import { EXTMeshoptCompression, KHRDracoMeshCompression } from '@gltf-transform/extensions';
import draco3d from 'draco3dgltf';
import { MeshoptEncoder } from 'meshoptimizer';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BOX_TYPE_TITLES,
  type CatalogueAssets,
  type CatalogueFile,
  KEY_UNIT_MM,
  PREVIEW_HEIGHT,
  PREVIEW_WIDTH,
  SWITCH_TITLES,
  catalogueFiles,
  generateCatalogueAssets,
  layouts,
  modelStats,
  readGlb,
  switches,
  writeCatalogueFiles,
} from '@keylab/models';
import { paletteFor } from '../src/colors.ts';
import type { MeshData } from '../src/geometry.ts';
import { caseGeometry, keycapMesh, switchGeometry } from '../src/shapes.ts';
import { synthesize } from '../src/sound.ts';

const require = createRequire(import.meta.url);
const validator = require('gltf-validator') as {
  validateBytes(
    data: Uint8Array,
    options?: { maxIssues?: number },
  ): Promise<{
    issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; pointer?: string }[] };
  }>;
};

const SEED_DATA = new URL('../../../data/keylab-original/keyboards/', import.meta.url);

/** Rows of one of the original's seed CSV files (no quoted fields in these). */
function csv(name: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(new URL(name, SEED_DATA), 'utf8').trim().split(/\r?\n/);
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i]!, value])));
}

let assets: CatalogueAssets;
let files: CatalogueFile[];

beforeAll(async () => {
  assets = await generateCatalogueAssets();
  files = catalogueFiles(assets);
});

describe('determinism', () => {
  it('gives byte-identical files for the same seed, and different colours and sounds for another', async () => {
    const again = catalogueFiles(await generateCatalogueAssets({ seed: 1 }));
    expect(again.map((file) => file.path)).toEqual(files.map((file) => file.path));
    const differing = again.filter((file, i) => !Buffer.from(file.data).equals(Buffer.from(files[i]!.data)));
    expect(differing.map((file) => file.path)).toEqual([]);

    expect(paletteFor('60%', 2)).not.toEqual(paletteFor('60%', 1));
    const other = synthesize(switches['MX Blue'], 2);
    expect(Buffer.from(other.buffer).equals(Buffer.from(synthesize(switches['MX Blue'], 1).buffer))).toBe(false);
  });
});

describe('layouts', () => {
  const kits = csv('kits.csv');
  const boxTypes = csv('box_types.csv');
  const keycaps = csv('keycaps.csv');

  it.each(BOX_TYPE_TITLES)('the %s layout has exactly the keycaps of its default kit, with their file names', (title) => {
    const typeId = boxTypes.find((row) => row.title === title)!.id;
    const kit = kits.find((row) => row.box_type_id === typeId)!;
    const rows = keycaps.filter((row) => row.kit_id === kit.id);
    const layout = layouts[title];
    expect(layout.kitName).toBe(kit.preview_name);
    expect(layout.keys).toHaveLength(rows.length);
    const fromLayout = Object.fromEntries(layout.keys.map((key) => [key.name, key.fileName]));
    const fromCsv = Object.fromEntries(rows.map((row) => [row.title, row.file_name]));
    expect(fromLayout).toEqual(fromCsv);
    expect(assets.boxTypes[title].keycaps.size).toBe(rows.length);
  });

  it('has the expected sizes: 100, 84, 61 and 43 keys', () => {
    // The original's full-size kit has 100 keys, not 104: one Win key plus Fn, and no End, Scroll Lock,
    // Pause or Menu key (see layouts.ts); the layout follows the kit so that every keycap row has a model.
    expect(BOX_TYPE_TITLES.map((title) => layouts[title].keys.length)).toEqual([100, 84, 61, 43]);
    expect(BOX_TYPE_TITLES.map((title) => layouts[title].width)).toEqual([22.5, 16, 15, 12.75]);
  });

  it.each(BOX_TYPE_TITLES)('the %s layout has no overlapping keys and rows of the same width', (title) => {
    const { keys, width, height } = layouts[title];
    for (const [i, a] of keys.entries()) {
      expect(a.x + a.width).toBeLessThanOrEqual(width);
      expect(a.y + a.height).toBeLessThanOrEqual(height);
      for (const b of keys.slice(i + 1)) {
        const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
        expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
      }
    }
    // The main block of every row ends at the same column (the board's right edge on 40%, 60% and 75%).
    const mainWidth = title === '100%' ? 15 : width;
    const rows = new Set(keys.map((key) => key.row));
    for (const row of rows) {
      if (title === '100%' && row === 0) continue; // the function row ends with a gap before Prsc
      const main = keys.filter((key) => key.row === row && key.x < mainWidth);
      expect(Math.max(...main.map((key) => key.x + key.width)), `row ${row}`).toBe(mainWidth);
    }
  });
});

describe('glTF models', () => {
  it('every GLB passes the Khronos validator with no errors and no warnings', async () => {
    const models = files.filter((file) => file.path.endsWith('.glb'));
    expect(models).toHaveLength(4 + 4 + 288 + 4);
    const failures: string[] = [];
    for (const file of models) {
      const report = await validator.validateBytes(file.data, { maxIssues: 5 });
      if (report.issues.numErrors > 0 || report.issues.numWarnings > 0) {
        failures.push(
          `${file.path}: ${report.issues.messages.map((m) => `${m.code} ${m.pointer ?? ''} ${m.message}`).join('; ')}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });

  it('names nodes and meshes, and gives every primitive positions, normals, indices and a PBR base colour', async () => {
    const document = await readGlb(assets.boxTypes['60%'].keyboardGlb);
    const root = document.getRoot();
    const names = root.listNodes().map((node) => node.getName());
    expect(names).toEqual(
      expect.arrayContaining(['keyboard:60%', 'case:60%', 'plate', 'keycap:Enter', 'keycap:Space', 'keycap:Ls']),
    );
    expect(root.listMeshes().map((mesh) => mesh.getName())).toContain('keycap:AltLeft');
    for (const mesh of root.listMeshes()) {
      for (const primitive of mesh.listPrimitives()) {
        expect(primitive.getMode()).toBe(Primitive.Mode.TRIANGLES);
        expect(primitive.getAttribute('POSITION')).not.toBeNull();
        expect(primitive.getAttribute('NORMAL')).not.toBeNull();
        expect(primitive.getIndices()).not.toBeNull();
        expect(primitive.getMaterial()?.getBaseColorFactor()).toHaveLength(4);
      }
    }
    const keycap = await readGlb(assets.boxTypes['40%'].keycaps.get('Enter')!);
    expect(
      keycap
        .getRoot()
        .listNodes()
        .map((node) => node.getName()),
    ).toEqual(['keycap:Enter']);
    const stem = (await readGlb(assets.switches['MX Red'].glb))
      .getRoot()
      .listMaterials()
      .find((m) => m.getName() === 'stem-mxred');
    const blueStem = (await readGlb(assets.switches['MX Blue'].glb))
      .getRoot()
      .listMaterials()
      .find((m) => m.getName() === 'stem-mxblue');
    expect(stem!.getBaseColorFactor()).not.toEqual(blueStem!.getBaseColorFactor());
  });

  it('keeps the files small: a whole 100% keyboard well under 2 MB', () => {
    expect(assets.boxTypes['100%'].keyboardGlb.byteLength).toBeLessThan(200_000);
    for (const file of files) expect(file.data.byteLength, file.path).toBeLessThan(100_000);
  });

  it('measures the keyboards: case size from the key grid, every keycap inside, in metres', async () => {
    for (const title of BOX_TYPE_TITLES) {
      const layout = layouts[title];
      const stats = await modelStats(assets.boxTypes[title].keyboardGlb);
      const { min, max } = stats.bounds!;
      const width = max[0] - min[0];
      // Key grid + 1.5 mm margin + 9 mm bezel on each side.
      expect(width).toBeCloseTo((layout.width * KEY_UNIT_MM + 21) / 1000, 5);
      expect(min[1]).toBeCloseTo(0, 6);
      expect(max[1]).toBeGreaterThan(0.02);
      expect(max[1]).toBeLessThan(0.05);
      expect(stats.meshCount).toBe(layout.keys.length + 1);
    }
  });

  it('builds closed shapes wound outwards, with normals agreeing with the winding', () => {
    const check = (mesh: MeshData, closed: boolean): void => {
      const { positions: p, normals: n, indices } = mesh;
      let volume = 0;
      for (let t = 0; t < indices.length; t += 3) {
        const [a, b, c] = [indices[t]! * 3, indices[t + 1]! * 3, indices[t + 2]! * 3];
        const u = [p[b]! - p[a]!, p[b + 1]! - p[a + 1]!, p[b + 2]! - p[a + 2]!];
        const v = [p[c]! - p[a]!, p[c + 1]! - p[a + 1]!, p[c + 2]! - p[a + 2]!];
        const face = [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
        for (const vertex of [a, b, c]) {
          expect(face[0]! * n[vertex]! + face[1]! * n[vertex + 1]! + face[2]! * n[vertex + 2]!).toBeGreaterThan(0);
        }
        // Signed volume of the tetrahedron (origin, a, b, c).
        volume +=
          (p[a]! * (p[b + 1]! * p[c + 2]! - p[b + 2]! * p[c + 1]!) -
            p[a + 1]! * (p[b]! * p[c + 2]! - p[b + 2]! * p[c]!) +
            p[a + 2]! * (p[b]! * p[c + 1]! - p[b + 1]! * p[c]!)) /
          6;
      }
      if (closed) expect(volume).toBeGreaterThan(0);
    };
    check(keycapMesh(1, 1, 3), true);
    check(keycapMesh(6.25, 1, 4), true);
    check(keycapMesh(1, 2, 2), true);
    for (const part of Object.values(switchGeometry())) check(part, true);
    const box = caseGeometry(layouts['60%']);
    check(box.cutouts, false);
    // The shell is open where the plate closes it: together they are one closed solid.
    const shellVertices = box.shell.positions.length / 3;
    const joined: MeshData = {
      positions: Float32Array.from([...box.shell.positions, ...box.plate.positions]),
      normals: Float32Array.from([...box.shell.normals, ...box.plate.normals]),
      indices: Uint32Array.from([...box.shell.indices, ...Array.from(box.plate.indices, (i) => i + shellVertices)]),
    };
    check(joined, true);
  });
});

describe('modelStats', () => {
  it('counts the vertices and triangles a scene draws and measures its world bounds', async () => {
    const document = new Document();
    const buffer = document.createBuffer();
    // A unit cube (8 vertices, 12 triangles) centred on the origin.
    const cube = document.createMesh('cube').addPrimitive(
      document
        .createPrimitive()
        .setAttribute(
          'POSITION',
          document
            .createAccessor()
            .setType('VEC3')
            .setBuffer(buffer)
            .setArray(
              new Float32Array(
                [-1, -1, -1, 1, -1, -1, 1, 1, -1, -1, 1, -1, -1, -1, 1, 1, -1, 1, 1, 1, 1, -1, 1, 1].map((v) => v / 2),
              ),
            ),
        )
        .setIndices(
          document
            .createAccessor()
            .setBuffer(buffer)
            .setArray(
              new Uint16Array([
                0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4, 3, 7, 6, 3, 6, 2, 0, 4, 7, 0, 7, 3, 1, 2, 6, 1, 6, 5,
              ]),
            ),
        ),
    );
    // A quad as a triangle strip (4 vertices, 2 triangles).
    const strip = document.createMesh('strip').addPrimitive(
      document
        .createPrimitive()
        .setMode(Primitive.Mode.TRIANGLE_STRIP!)
        .setAttribute(
          'POSITION',
          document
            .createAccessor()
            .setType('VEC3')
            .setBuffer(buffer)
            .setArray(new Float32Array([10, 0, 0, 10.25, 0, 0, 10, 0.25, 0, 10.25, 0.25, 0])),
        ),
    );
    const parent = document
      .createNode('parent')
      .setTranslation([10, 0, 0])
      .addChild(document.createNode('raised').setMesh(cube).setTranslation([0, 1, 0]))
      // Stretched along x to 2 m, then turned a quarter about +Y: 2 m along z.
      .addChild(document.createNode('turned').setMesh(cube).setScale([2, 1, 1]).setRotation([0, Math.SQRT1_2, 0, Math.SQRT1_2]));
    document.createScene('scene').addChild(parent).addChild(document.createNode('strip').setMesh(strip));
    document.createNode('not in the scene').setMesh(cube).setTranslation([100, 100, 100]);
    const glb = await new NodeIO().writeBinary(document);

    const stats = await modelStats(glb);
    expect(stats).toMatchObject({ vertexCount: 8 + 8 + 4, triangleCount: 12 + 12 + 2, meshCount: 2, nodeCount: 5 });
    const { min, max } = stats.bounds!;
    [9.5, -0.5, -1].forEach((value, axis) => expect(min[axis]).toBeCloseTo(value, 6));
    [10.5, 1.5, 1].forEach((value, axis) => expect(max[axis]).toBeCloseTo(value, 6));
  });

  it('knows the generated models: a 1u keycap, a switch', async () => {
    const a = await modelStats(assets.boxTypes['60%'].keycaps.get('A')!);
    // Dished top 5 x 5, four sides and the bottom of 4 vertices each; 32 + 8 + 2 triangles.
    expect(a).toMatchObject({ vertexCount: 45, triangleCount: 42, meshCount: 1, materialCount: 1 });
    const { min, max } = a.bounds!;
    expect(max[0] - min[0]).toBeCloseTo(0.01805, 6);
    expect(max[2] - min[2]).toBeCloseTo(0.01805, 6);
    expect(min[1]).toBe(0);
    expect(max[1]).toBeCloseTo(0.0094, 6); // R3: 9.0 mm at the front, 9.4 mm at the back
    const blue = await modelStats(assets.switches['MX Blue'].glb);
    expect(blue.bounds!.min[1]).toBeCloseTo(-0.0033, 6);
    expect(blue.bounds!.max[1]).toBeCloseTo(0.0152, 6);
    expect(blue.meshCount).toBe(4);
  });

  /** The JSON chunk of a GLB. */
  const glbJson = (glb: Uint8Array): { extensionsRequired?: string[] } => {
    const bytes = Buffer.from(glb);
    return JSON.parse(bytes.toString('utf8', 20, 20 + bytes.readUInt32LE(12))) as { extensionsRequired?: string[] };
  };

  it('reads meshopt- and Draco-compressed models', async () => {
    const source = assets.boxTypes['40%'].keyboardGlb;
    const plain = await modelStats(source);
    await MeshoptEncoder.ready;
    const io = new NodeIO().registerExtensions([EXTMeshoptCompression, KHRDracoMeshCompression]).registerDependencies({
      'meshopt.encoder': MeshoptEncoder,
      'draco3d.encoder': await draco3d.createEncoderModule(),
    });

    const meshopt = await readGlb(source);
    meshopt.createExtension(EXTMeshoptCompression).setRequired(true);
    const meshoptGlb = await io.writeBinary(meshopt);
    expect(glbJson(meshoptGlb).extensionsRequired).toEqual(['EXT_meshopt_compression']);
    const meshoptStats = await modelStats(meshoptGlb);
    expect(meshoptStats.vertexCount).toBe(plain.vertexCount);
    expect(meshoptStats.triangleCount).toBe(plain.triangleCount);

    const draco = await readGlb(source);
    draco.createExtension(KHRDracoMeshCompression).setRequired(true);
    const dracoGlb = await io.writeBinary(draco);
    expect(glbJson(dracoGlb).extensionsRequired).toEqual(['KHR_draco_mesh_compression']);
    const dracoStats = await modelStats(dracoGlb);
    expect(dracoStats.triangleCount).toBe(plain.triangleCount);
    for (const axis of [0, 1, 2]) {
      expect(dracoStats.bounds!.min[axis]).toBeCloseTo(plain.bounds!.min[axis]!, 3);
      expect(dracoStats.bounds!.max[axis]).toBeCloseTo(plain.bounds!.max[axis]!, 3);
    }
  });

  it('refuses bytes that are not a GLB', async () => {
    await expect(modelStats(new TextEncoder().encode('not a model at all'))).rejects.toThrow();
  });
});

describe('previews', () => {
  it('are WebP pictures of 512 x 320 for every box, kit, keyboard and switch', async () => {
    const previews = files.filter((file) => file.path.endsWith('.webp'));
    expect(previews).toHaveLength(4 * 3 + 4);
    for (const file of previews) {
      const data = Buffer.from(file.data);
      expect(data.subarray(0, 4).toString('ascii')).toBe('RIFF');
      expect(data.subarray(8, 12).toString('ascii')).toBe('WEBP');
      const metadata = await sharp(data).metadata();
      expect(metadata).toMatchObject({ format: 'webp', width: PREVIEW_WIDTH, height: PREVIEW_HEIGHT });
      expect(file.contentType).toBe('image/webp');
    }
  });

  it('show the model: a keyboard differs from its empty case, and the switches by their stem colour', async () => {
    const stats = async (data: Uint8Array) => (await sharp(data).stats()).channels.map((channel) => channel.mean);
    const box = assets.boxTypes['75%'];
    expect(await stats(box.keyboardPreview)).not.toEqual(await stats(box.casePreview));
    const red = await stats(assets.switches['MX Red'].preview);
    const blue = await stats(assets.switches['MX Blue'].preview);
    expect(red[0]! - red[2]!).toBeGreaterThan(blue[0]! - blue[2]!);
  });
});

describe('sounds', () => {
  const header = (wav: Buffer) => ({
    riff: wav.toString('ascii', 0, 4),
    riffSize: wav.readUInt32LE(4),
    wave: wav.toString('ascii', 8, 12),
    fmt: wav.toString('ascii', 12, 16),
    fmtSize: wav.readUInt32LE(16),
    format: wav.readUInt16LE(20),
    channels: wav.readUInt16LE(22),
    sampleRate: wav.readUInt32LE(24),
    byteRate: wav.readUInt32LE(28),
    blockAlign: wav.readUInt16LE(32),
    bitsPerSample: wav.readUInt16LE(34),
    data: wav.toString('ascii', 36, 40),
    dataSize: wav.readUInt32LE(40),
  });
  const peak = (wav: Buffer): number => {
    let max = 0;
    for (let offset = 44; offset < wav.length; offset += 2) max = Math.max(max, Math.abs(wav.readInt16LE(offset)));
    return max;
  };

  it.each(SWITCH_TITLES)('%s: a short mono 44.1 kHz 16-bit PCM WAV', (title) => {
    const wav = assets.switches[title].sound;
    const fields = header(wav);
    expect(fields).toMatchObject({
      riff: 'RIFF',
      riffSize: wav.length - 8,
      wave: 'WAVE',
      fmt: 'fmt ',
      fmtSize: 16,
      format: 1,
      channels: 1,
      sampleRate: 44_100,
      byteRate: 88_200,
      blockAlign: 2,
      bitsPerSample: 16,
      data: 'data',
      dataSize: wav.length - 44,
    });
    const seconds = fields.dataSize / fields.byteRate;
    expect(seconds).toBeGreaterThanOrEqual(0.12);
    expect(seconds).toBeLessThanOrEqual(0.25);
    expect(wav.readInt16LE(wav.length - 2)).toBe(0); // faded out: no click at the end
  });

  it('clicky Blue is loudest with two transients, tactile Brown in between, linear Red softest', () => {
    const [blue, brown, red, black] = (['MX Blue', 'MX Brown', 'MX Red', 'MX Black'] as const).map(
      (t) => assets.switches[t].sound,
    );
    expect(peak(blue!)).toBeGreaterThan(peak(brown!));
    expect(peak(brown!)).toBeGreaterThan(peak(red!));
    expect(peak(black!)).toBeGreaterThan(peak(red!));
    // Loudness in 4 ms windows: Blue's click and its bottom-out are separate peaks with a quiet gap.
    const windows = (wav: Buffer): number[] => {
      const size = 176 * 2; // 4 ms
      const result: number[] = [];
      for (let start = 44; start + size <= wav.length; start += size) {
        let max = 0;
        for (let offset = start; offset < start + size; offset += 2) max = Math.max(max, Math.abs(wav.readInt16LE(offset)));
        result.push(max);
      }
      return result;
    };
    const envelope = windows(blue!);
    const loud = envelope.map((value, i) => value > 0.5 * peak(blue!) && !(envelope[i - 1]! > 0.5 * peak(blue!)));
    expect(loud.filter(Boolean)).toHaveLength(2);
    // Black is the deepest: fewer zero crossings than Red in the bottom-out.
    const crossings = (wav: Buffer): number => {
      let count = 0;
      for (let offset = 46; offset < Math.min(wav.length, 44 + 2 * 44_100 * 0.06); offset += 2) {
        if (Math.sign(wav.readInt16LE(offset)) !== Math.sign(wav.readInt16LE(offset - 2))) count++;
      }
      return count;
    };
    expect(crossings(black!)).toBeLessThan(crossings(red!));
  });
});

describe('writeCatalogueFiles', () => {
  it('writes every file under predictable names, with a manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keylab-models-'));
    try {
      const manifest = await writeCatalogueFiles(dir, assets);
      expect(manifest.files).toHaveLength(files.length);
      const paths = manifest.files.map((file) => file.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'boxes/Box60.glb',
          'boxes/Box60.webp',
          'kits/Kit60.webp',
          'kits/Kit60/keycaps/alt_left.glb',
          'kits/Kit40/keycaps/Esc.glb',
          'kits/Kit100/keycaps/num__.glb',
          'keyboards/Keyboard100.glb',
          'keyboards/Keyboard100.webp',
          'switches/mxblue.glb',
          'switches/mxblue.webp',
          'switches/mxblue.wav',
        ]),
      );
      const written = await readFile(join(dir, 'kits', 'Kit60', 'keycaps', 'alt_left.glb'));
      expect(written.equals(Buffer.from(assets.boxTypes['60%'].keycaps.get('AltLeft')!))).toBe(true);
      const listed = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
      expect(listed.files.find((file) => file.path === 'switches/mxblue.wav')).toMatchObject({
        kind: 'switch-sound',
        contentType: 'audio/wav',
        owner: 'MX Blue',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
