/** Colours: sRGB for pictures, linear for glTF material factors, and the kits' palettes. */
import { createRandom } from './random.ts';
import type { BoxTypeTitle, KeyGroup } from './layouts.ts';

export type Rgb = [number, number, number];

export function hexToRgb(hex: string): Rgb {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** An sRGB colour (0-255) as a linear RGBA factor, rounded so that files stay byte-stable and short. */
export function linearFactor([r, g, b]: Rgb, alpha = 1): [number, number, number, number] {
  const toLinear = (channel: number): number => {
    const c = channel / 255;
    const linear = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return Math.round(linear * 10000) / 10000;
  };
  return [toLinear(r), toLinear(g), toLinear(b), alpha];
}

export interface Palette {
  readonly name: string;
  readonly caseColor: Rgb;
  readonly plate: Rgb;
  readonly keys: Record<KeyGroup, Rgb>;
  readonly background: [Rgb, Rgb];
}

const PALETTES: readonly { name: string; caseColor: string; plate: string; alpha: string; modifier: string; accent: string }[] = [
  { name: 'graphite', caseColor: '#3b3f46', plate: '#8a9099', alpha: '#e9e6df', modifier: '#9aa0a8', accent: '#e0803a' },
  { name: 'retro', caseColor: '#c9c2b2', plate: '#7d7a73', alpha: '#ede4cf', modifier: '#a39a88', accent: '#b8483c' },
  { name: 'ocean', caseColor: '#24344d', plate: '#6f7c8f', alpha: '#dfe7ef', modifier: '#4f6f94', accent: '#3fb7c4' },
  { name: 'forest', caseColor: '#2f3a33', plate: '#7e8a80', alpha: '#e4e8dc', modifier: '#5d7a62', accent: '#d9b23f' },
  { name: 'lilac', caseColor: '#e7e3ee', plate: '#9a95a6', alpha: '#f5f3f8', modifier: '#b7a9d3', accent: '#7e5bbf' },
  { name: 'carbon', caseColor: '#1f2022', plate: '#5c5f66', alpha: '#3a3c40', modifier: '#2b2d30', accent: '#d64a3b' },
];

const BOX_TYPE_INDEX: Record<BoxTypeTitle, number> = { '100%': 0, '75%': 1, '60%': 2, '40%': 3 };

/** Nudges a colour's channels by up to +-`amount` (0-255 scale). */
function jitter(color: Rgb, random: () => number, amount: number): Rgb {
  const shift = Math.round((random() * 2 - 1) * amount);
  return color.map((channel) => Math.max(0, Math.min(255, channel + shift))) as Rgb;
}

/** The palette of a layout's case and default kit: picked and slightly varied by the seed. */
export function paletteFor(title: BoxTypeTitle, seed: number): Palette {
  const index = (((Math.trunc(seed) + BOX_TYPE_INDEX[title]) % PALETTES.length) + PALETTES.length) % PALETTES.length;
  const base = PALETTES[index]!;
  const random = createRandom(seed, `palette:${title}`);
  return {
    name: base.name,
    caseColor: jitter(hexToRgb(base.caseColor), random, 6),
    plate: jitter(hexToRgb(base.plate), random, 6),
    keys: {
      alpha: jitter(hexToRgb(base.alpha), random, 4),
      modifier: jitter(hexToRgb(base.modifier), random, 6),
      accent: jitter(hexToRgb(base.accent), random, 6),
    },
    background: [jitter([236, 239, 243], random, 4), jitter([204, 210, 219], random, 4)],
  };
}

export function shade(color: Rgb, factor: number): Rgb {
  return color.map((channel) => Math.max(0, Math.min(255, Math.round(channel * factor)))) as Rgb;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as Rgb;
}
