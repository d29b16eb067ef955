/**
 * @keylab/models: a deterministic generator of the original KeyLab's missing model files (cases,
 * keycaps, switches, whole keyboards as GLB), their WebP previews and the switches' click sounds (WAV),
 * plus `modelStats` for the facts of any GLB.
 */
export {
  BOX_TYPE_TITLES,
  KEY_UNIT_MM,
  SWITCH_TITLES,
  keycapFileName,
  layouts,
  switches,
  type BoxTypeTitle,
  type KeyGroup,
  type Layout,
  type LayoutKey,
  type ProfileRow,
  type SwitchSpec,
  type SwitchTitle,
} from './layouts.ts';
export {
  DEFAULT_SEED,
  GLB_CONTENT_TYPE,
  catalogueFiles,
  generateCatalogueAssets,
  writeCatalogueAssets,
  writeCatalogueFiles,
  type BoxTypeAssets,
  type CatalogueAssets,
  type CatalogueFile,
  type CatalogueFileKind,
  type GenerateOptions,
  type Manifest,
  type ManifestEntry,
  type SwitchAssets,
} from './catalogue.ts';
export { PREVIEW_HEIGHT, PREVIEW_WIDTH, WEBP_CONTENT_TYPE } from './preview.ts';
export { SAMPLE_RATE, WAV_CONTENT_TYPE } from './sound.ts';
export { modelStats, readGlb, type ModelStats } from './stats.ts';
