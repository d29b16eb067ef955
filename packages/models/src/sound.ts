/**
 * Key press sounds, synthesized: each is a few "transients" (a burst of coloured noise that dies away in
 * milliseconds, plus damped tones: the plastic's ring and the spring's ping), mixed, normalized to a
 * peak that sets the switch's loudness, faded in and out, and written as a mono 16-bit PCM WAV.
 *
 * - clicky (MX Blue): the click jacket snaps (a bright, loud transient), then the stem bottoms out; loudest;
 * - tactile (MX Brown): a soft bump, then the bottom-out; in between;
 * - linear (MX Red): just the bottom-out; softest;
 * - MX Black: linear, heavier spring: a deeper, longer bottom-out.
 */
import { createRandom } from './random.ts';
import type { SwitchSpec, SwitchTitle } from './layouts.ts';

export const SAMPLE_RATE = 44_100;
export const WAV_CONTENT_TYPE = 'audio/wav';

interface Transient {
  /** Start, in seconds. */
  readonly at: number;
  /** Noise burst: amplitude, decay time constant (s), and brightness (0 = dull, 1 = bright). */
  readonly noise: number;
  readonly noiseDecay: number;
  readonly brightness: number;
  /** Damped tones: [frequency Hz, amplitude, decay time constant s]. */
  readonly tones: readonly [number, number, number][];
}

interface Voice {
  readonly duration: number;
  /** The loudest sample, as a fraction of full scale. */
  readonly peak: number;
  readonly transients: readonly Transient[];
}

const VOICES: Record<SwitchTitle, Voice> = {
  'MX Blue': {
    duration: 0.21,
    peak: 0.92,
    transients: [
      {
        at: 0.004,
        noise: 1,
        noiseDecay: 0.0012,
        brightness: 0.95,
        tones: [
          [4300, 0.55, 0.006],
          [7600, 0.2, 0.004],
        ],
      },
      {
        at: 0.034,
        noise: 0.75,
        noiseDecay: 0.0022,
        brightness: 0.6,
        tones: [
          [1900, 0.35, 0.012],
          [820, 0.3, 0.02],
          [6200, 0.04, 0.06],
        ],
      },
    ],
  },
  'MX Brown': {
    duration: 0.17,
    peak: 0.66,
    transients: [
      { at: 0.004, noise: 0.22, noiseDecay: 0.002, brightness: 0.4, tones: [[1500, 0.1, 0.006]] },
      {
        at: 0.026,
        noise: 0.8,
        noiseDecay: 0.0025,
        brightness: 0.5,
        tones: [
          [1700, 0.3, 0.012],
          [760, 0.32, 0.022],
          [6000, 0.035, 0.05],
        ],
      },
    ],
  },
  'MX Red': {
    duration: 0.14,
    peak: 0.45,
    transients: [
      {
        at: 0.012,
        noise: 0.8,
        noiseDecay: 0.0022,
        brightness: 0.45,
        tones: [
          [1600, 0.28, 0.01],
          [700, 0.3, 0.018],
          [5800, 0.03, 0.045],
        ],
      },
    ],
  },
  'MX Black': {
    duration: 0.18,
    peak: 0.55,
    transients: [
      {
        at: 0.014,
        noise: 0.7,
        noiseDecay: 0.003,
        brightness: 0.3,
        tones: [
          [980, 0.3, 0.014],
          [430, 0.45, 0.03],
          [210, 0.2, 0.04],
          [5200, 0.025, 0.05],
        ],
      },
    ],
  },
};

/** The samples (-1..1) of a switch's sound. */
export function synthesize(spec: SwitchSpec, seed: number): Float64Array {
  const voice = VOICES[spec.title];
  const random = createRandom(seed, `sound:${spec.title}`);
  const length = Math.round(voice.duration * SAMPLE_RATE);
  const samples = new Float64Array(length);
  for (const transient of voice.transients) {
    const start = Math.round(transient.at * SAMPLE_RATE);
    // A one-pole low-pass whose cut-off follows the brightness; the output mixes it with the raw noise.
    const smoothing = 0.85 - 0.8 * transient.brightness;
    let low = 0;
    const phases = transient.tones.map(() => random() * 2 * Math.PI);
    for (let i = start; i < length; i++) {
      const t = (i - start) / SAMPLE_RATE;
      const white = random() * 2 - 1;
      low = low * smoothing + white * (1 - smoothing);
      const attack = Math.min(1, t / 0.0003);
      let value = transient.noise * attack * Math.exp(-t / transient.noiseDecay) * low * 1.6;
      transient.tones.forEach(([frequency, amplitude, decay], k) => {
        value += amplitude * attack * Math.exp(-t / decay) * Math.sin(2 * Math.PI * frequency * t + phases[k]!);
      });
      samples[i] = samples[i]! + value;
    }
  }
  let peak = 0;
  for (const value of samples) peak = Math.max(peak, Math.abs(value));
  const gain = peak > 0 ? voice.peak / peak : 0;
  const fade = Math.round(0.004 * SAMPLE_RATE);
  for (let i = 0; i < length; i++) {
    const envelope = Math.min(1, (length - 1 - i) / fade);
    samples[i] = samples[i]! * gain * envelope;
  }
  return samples;
}

/** A mono 16-bit PCM WAV file of the samples (-1..1). */
export function encodeWav(samples: Float64Array, sampleRate = SAMPLE_RATE): Buffer {
  const dataBytes = samples.length * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  samples.forEach((value, i) => {
    const clamped = Math.max(-1, Math.min(1, value));
    wav.writeInt16LE(Math.round(clamped * 32767), 44 + i * 2);
  });
  return wav;
}

/** The WAV of a switch's key press. */
export function switchSound(spec: SwitchSpec, seed: number): Buffer {
  return encodeWav(synthesize(spec, seed));
}
