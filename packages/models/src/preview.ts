/** Preview pictures: a rendered view of a model, encoded as WebP with sharp. */
import sharp from 'sharp';
import type { Rgb } from './colors.ts';
import { renderScene } from './render.ts';
import type { SceneSpec } from './scene.ts';

export const PREVIEW_WIDTH = 512;
export const PREVIEW_HEIGHT = 320;
export const WEBP_CONTENT_TYPE = 'image/webp';

const NEUTRAL_BACKGROUND: [Rgb, Rgb] = [
  [236, 239, 243],
  [204, 210, 219],
];

export type PreviewAngle = 'board' | 'switch';

const ANGLES: Record<PreviewAngle, { yaw: number; pitch: number; margin: number }> = {
  // From in front of the typist and a little to the left, looking down on the board.
  board: { yaw: -15, pitch: 55, margin: 20 },
  // A three-quarter view that shows the stem, the housing and the pins below it.
  switch: { yaw: -35, pitch: 16, margin: 28 },
};

/** A WebP picture (512 x 320, lossy, no metadata) of a scene. */
export async function renderPreview(
  scene: SceneSpec,
  angle: PreviewAngle,
  background: readonly [Rgb, Rgb] = NEUTRAL_BACKGROUND,
): Promise<Buffer> {
  const pixels = renderScene(scene, { width: PREVIEW_WIDTH, height: PREVIEW_HEIGHT, background, ...ANGLES[angle] });
  return sharp(pixels, { raw: { width: PREVIEW_WIDTH, height: PREVIEW_HEIGHT, channels: 3 } })
    .webp({ quality: 86, effort: 4, smartSubsample: true })
    .toBuffer();
}
