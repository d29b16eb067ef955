/** The whole generated catalogue: every model, preview and sound of the original's seed rows. */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { paletteFor } from './colors.ts';
import { writeGlb } from './gltf.ts';
import {
  BOX_TYPE_TITLES,
  type BoxTypeTitle,
  type Layout,
  SWITCH_TITLES,
  type SwitchSpec,
  type SwitchTitle,
  layouts,
  switches,
} from './layouts.ts';
import { caseScene, keyboardScene, keycapScene, kitScene, switchScene } from './models.ts';
import { WEBP_CONTENT_TYPE, renderPreview } from './preview.ts';
import { WAV_CONTENT_TYPE, switchSound } from './sound.ts';

export const GLB_CONTENT_TYPE = 'model/gltf-binary';
export const DEFAULT_SEED = 1;

export interface GenerateOptions {
  /** Picks and varies the palettes and the sounds' noise; the same seed gives byte-identical files. */
  readonly seed?: number;
}

export interface BoxTypeAssets {
  readonly layout: Layout;
  /** The case ("box") model and its preview. */
  readonly caseGlb: Uint8Array;
  readonly casePreview: Buffer;
  /** The whole keyboard (case and every keycap in place) and its preview. */
  readonly keyboardGlb: Uint8Array;
  readonly keyboardPreview: Buffer;
  /** The default kit: its preview and one model per keycap, by keycap title ("A", "AltLeft", ...), in layout order. */
  readonly kitPreview: Buffer;
  readonly keycaps: ReadonlyMap<string, Uint8Array>;
}

export interface SwitchAssets {
  readonly spec: SwitchSpec;
  readonly glb: Uint8Array;
  readonly preview: Buffer;
  /** A key press, mono 16-bit 44.1 kHz PCM WAV. */
  readonly sound: Buffer;
}

export interface CatalogueAssets {
  readonly seed: number;
  readonly boxTypes: Readonly<Record<BoxTypeTitle, BoxTypeAssets>>;
  readonly switches: Readonly<Record<SwitchTitle, SwitchAssets>>;
}

async function boxTypeAssets(layout: Layout, seed: number): Promise<BoxTypeAssets> {
  const palette = paletteFor(layout.title, seed);
  const cases = caseScene(layout, palette);
  const keyboard = keyboardScene(layout, palette);
  const [caseGlb, keyboardGlb, keycapGlbs] = await Promise.all([
    writeGlb(cases),
    writeGlb(keyboard),
    Promise.all(layout.keys.map((key) => writeGlb(keycapScene(layout, key, palette)))),
  ]);
  const casePreview = await renderPreview(cases, 'board', palette.background);
  const keyboardPreview = await renderPreview(keyboard, 'board', palette.background);
  const kitPreview = await renderPreview(kitScene(layout, palette), 'board', palette.background);
  const keycaps = new Map(layout.keys.map((key, i) => [key.name, keycapGlbs[i]!]));
  return { layout, caseGlb, casePreview, keyboardGlb, keyboardPreview, kitPreview, keycaps };
}

async function switchAssets(spec: SwitchSpec, seed: number): Promise<SwitchAssets> {
  const scene = switchScene(spec);
  const [glb, preview] = await Promise.all([writeGlb(scene), renderPreview(scene, 'switch')]);
  return { spec, glb, preview, sound: switchSound(spec, seed) };
}

/** Generates every asset in memory. Deterministic: the same seed gives byte-identical results. */
export async function generateCatalogueAssets(options: GenerateOptions = {}): Promise<CatalogueAssets> {
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isSafeInteger(seed)) throw new Error(`The seed must be an integer, not ${seed}`);
  const boxTypes = {} as Record<BoxTypeTitle, BoxTypeAssets>;
  for (const title of BOX_TYPE_TITLES) boxTypes[title] = await boxTypeAssets(layouts[title], seed);
  const switchAssetsByTitle = {} as Record<SwitchTitle, SwitchAssets>;
  for (const title of SWITCH_TITLES) switchAssetsByTitle[title] = await switchAssets(switches[title], seed);
  return { seed, boxTypes, switches: switchAssetsByTitle };
}

export type CatalogueFileKind =
  | 'box-model'
  | 'box-preview'
  | 'kit-preview'
  | 'keycap-model'
  | 'keyboard-model'
  | 'keyboard-preview'
  | 'switch-model'
  | 'switch-preview'
  | 'switch-sound';

export interface CatalogueFile {
  /** Relative path with forward slashes, e.g. "kits/Kit60/keycaps/alt_left.glb". */
  readonly path: string;
  readonly kind: CatalogueFileKind;
  readonly contentType: string;
  /** The box type ("60%") or switch ("MX Blue") it belongs to. */
  readonly owner: string;
  /** For keycaps, the keycap title ("AltLeft"). */
  readonly keycap?: string;
  readonly data: Uint8Array;
}

/**
 * Every asset as a file, named like the original's seed rows: boxes/<box file name>.glb|.webp,
 * kits/<kit preview name>.webp, kits/<kit>/keycaps/<keycap file name>.glb, keyboards/<file name>.glb|.webp,
 * switches/<file name>.glb|.webp|.wav.
 */
export function catalogueFiles(assets: CatalogueAssets): CatalogueFile[] {
  const files: CatalogueFile[] = [];
  for (const title of BOX_TYPE_TITLES) {
    const box = assets.boxTypes[title];
    const { layout } = box;
    const glb = { contentType: GLB_CONTENT_TYPE, owner: title };
    const webp = { contentType: WEBP_CONTENT_TYPE, owner: title };
    files.push(
      { ...glb, kind: 'box-model', path: `boxes/${layout.boxName}.glb`, data: box.caseGlb },
      { ...webp, kind: 'box-preview', path: `boxes/${layout.boxName}.webp`, data: box.casePreview },
      { ...webp, kind: 'kit-preview', path: `kits/${layout.kitName}.webp`, data: box.kitPreview },
    );
    for (const key of layout.keys) {
      const data = box.keycaps.get(key.name)!;
      files.push({
        ...glb,
        kind: 'keycap-model',
        keycap: key.name,
        path: `kits/${layout.kitName}/keycaps/${key.fileName}.glb`,
        data,
      });
    }
    files.push(
      { ...glb, kind: 'keyboard-model', path: `keyboards/${layout.keyboardName}.glb`, data: box.keyboardGlb },
      { ...webp, kind: 'keyboard-preview', path: `keyboards/${layout.keyboardName}.webp`, data: box.keyboardPreview },
    );
  }
  for (const title of SWITCH_TITLES) {
    const item = assets.switches[title];
    const name = `switches/${item.spec.fileName}`;
    files.push(
      { kind: 'switch-model', path: `${name}.glb`, contentType: GLB_CONTENT_TYPE, owner: title, data: item.glb },
      { kind: 'switch-preview', path: `${name}.webp`, contentType: WEBP_CONTENT_TYPE, owner: title, data: item.preview },
      { kind: 'switch-sound', path: `${name}.wav`, contentType: WAV_CONTENT_TYPE, owner: title, data: item.sound },
    );
  }
  return files;
}

export interface ManifestEntry extends Omit<CatalogueFile, 'data'> {
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly seed: number;
  readonly files: readonly ManifestEntry[];
}

/**
 * Writes generated assets under `dir` (created if needed; files of the same names are replaced, others
 * left alone), with a `manifest.json` listing every file, its kind, content type, size and SHA-256.
 */
export async function writeCatalogueFiles(dir: string, assets: CatalogueAssets): Promise<Manifest> {
  const entries: ManifestEntry[] = [];
  for (const { data, ...file } of catalogueFiles(assets)) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    entries.push({ ...file, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') });
  }
  const manifest: Manifest = { seed: assets.seed, files: entries };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Generates the catalogue and writes it under `dir` (see {@link writeCatalogueFiles}). Returns the manifest. */
export async function writeCatalogueAssets(dir: string, options: GenerateOptions = {}): Promise<Manifest> {
  return writeCatalogueFiles(dir, await generateCatalogueAssets(options));
}
