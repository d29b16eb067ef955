/**
 * The four layouts of the original KeyLab (box types 100%, 75%, 60%, 40%), written as data.
 *
 * Each layout has exactly the keys of the original's default kit for that box type
 * (data/keylab-original/keyboards/keycaps.csv, mapped to a box type by kits.csv), under the same titles
 * and file names: 100 keys for 100%, 84 for 75%, 61 for 60%, 43 for 40%. The original's full-size kit is
 * a 100-key board, not the usual 104: it has one Win key, an Fn key and no End, Scroll Lock, Pause or Menu
 * key, so its nav cluster has an empty slot where End would be. Other names of the original: "Vertical"
 * is the backslash/pipe key, "TwoDots" the semicolon, "TwoQuotes" the quote, "Less"/"More" the comma and
 * period, "NumNum" Num Lock, "Num" the keypad slash, "Ls" (60% only) the menu ("list") key.
 *
 * Positions are in key units (1u = 19.05 mm) from the top-left corner of the key grid: x grows to the
 * right, y towards the typist.
 */

export const KEY_UNIT_MM = 19.05;

export type BoxTypeTitle = '100%' | '75%' | '60%' | '40%';
export const BOX_TYPE_TITLES: readonly BoxTypeTitle[] = ['100%', '75%', '60%', '40%'];

/** The sculpted row profile of a keycap (OEM-like R1 = top rows, R4 = bottom rows). */
export type ProfileRow = 1 | 2 | 3 | 4;

/** The colour group of a keycap in a kit. */
export type KeyGroup = 'alpha' | 'modifier' | 'accent';

export interface LayoutKey {
  /** The keycap title of the original ("A", "AltLeft", "Enter", "Space", ...). */
  readonly name: string;
  /** The keycap file name of the original, without extension ("a", "alt_left", "enter", ...). */
  readonly fileName: string;
  /** Row index in this layout, 0 = top row. */
  readonly row: number;
  /** Left edge, in units. */
  readonly x: number;
  /** Top edge, in units. */
  readonly y: number;
  /** Width, in units. */
  readonly width: number;
  /** Height (depth on the board), in units: 2 for the keypad's Plus and Enter, otherwise 1. */
  readonly height: number;
  readonly profile: ProfileRow;
  readonly group: KeyGroup;
}

export interface Layout {
  readonly title: BoxTypeTitle;
  /** The original's file and preview names: boxes/<box>.glb, kits/<kit>.webp, keyboards/<keyboard>.glb. */
  readonly boxName: string;
  readonly kitName: string;
  readonly keyboardName: string;
  /** Size of the key grid, in units. */
  readonly width: number;
  readonly height: number;
  readonly keys: readonly LayoutKey[];
}

interface RowSpec {
  readonly y: number;
  readonly profile: ProfileRow;
  /**
   * Keys left to right, separated by spaces: `Name` (1u), `Name:1.5` (width), `Name:1x2` (width x
   * height), `_0.5` (a gap of that many units).
   */
  readonly keys: string;
}

const DIGITS = '1 2 3 4 5 6 7 8 9 0';
const TOP_LETTERS = 'Q W E R T Y U I O P';
const HOME_LETTERS = 'A S D F G H J K L';
const BOTTOM_LETTERS = 'Z X C V B N M';

const ROWS: Record<BoxTypeTitle, readonly RowSpec[]> = {
  '100%': [
    { y: 0, profile: 1, keys: 'Esc _1 F1 F2 F3 F4 _0.5 F5 F6 F7 F8 _0.5 F9 F10 F11 F12 _0.25 Prsc' },
    {
      y: 1.25,
      profile: 1,
      keys: `\` ${DIGITS} - = Backspace:2 _0.25 Ins Home Pgup _0.25 NumNum Num NumStar Num-`,
    },
    {
      y: 2.25,
      profile: 2,
      keys: `Tab:1.5 ${TOP_LETTERS} [ ] Vertical:1.5 _0.25 Del _1 Pgdown _0.25 Num7 Num8 Num9 NumPlus:1x2`,
    },
    { y: 3.25, profile: 3, keys: `Capslock:1.75 ${HOME_LETTERS} TwoDots TwoQuotes Enter:2.25 _3.5 Num4 Num5 Num6` },
    {
      y: 4.25,
      profile: 4,
      keys: `ShiftLeft:2.25 ${BOTTOM_LETTERS} Less More Slash ShiftRight:2.75 _1.25 ArrowUp _1.25 Num1 Num2 Num3 NumEnter:1x2`,
    },
    {
      y: 5.25,
      profile: 4,
      keys: 'CtrlLeft:1.5 Win AltLeft:1.5 Space:7 AltRight:1.5 Fn CtrlRight:1.5 _0.25 ArrowLeft ArrowDown ArrowRight _0.25 Num0:2 NumDot',
    },
  ],
  '75%': [
    { y: 0, profile: 1, keys: 'Esc F1 F2 F3 F4 F5 F6 F7 F8 F9 F10 F11 F12 Prsc Ins Del' },
    { y: 1.25, profile: 1, keys: `\` ${DIGITS} - = Backspace:2 Home` },
    { y: 2.25, profile: 2, keys: `Tab:1.5 ${TOP_LETTERS} [ ] Vertical:1.5 Pgup` },
    { y: 3.25, profile: 3, keys: `Capslock:1.75 ${HOME_LETTERS} TwoDots TwoQuotes Enter:2.25 Pgdn` },
    { y: 4.25, profile: 4, keys: `ShiftLeft:2.25 ${BOTTOM_LETTERS} Less More Slash ShiftRight:1.75 ArrowUp End` },
    {
      y: 5.25,
      profile: 4,
      keys: 'CtrlLeft:1.25 Win:1.25 AltLeft:1.25 Space:6.25 AltRight Fn CtrlRight ArrowLeft ArrowDown ArrowRight',
    },
  ],
  '60%': [
    { y: 0, profile: 1, keys: `Esc ${DIGITS} - = Backspace:2` },
    { y: 1, profile: 2, keys: `Tab:1.5 ${TOP_LETTERS} [ ] Vertical:1.5` },
    { y: 2, profile: 3, keys: `Capslock:1.75 ${HOME_LETTERS} TwoDots TwoQuotes Enter:2.25` },
    { y: 3, profile: 4, keys: `ShiftLeft:2.25 ${BOTTOM_LETTERS} Less More Slash ShiftRight:2.75` },
    {
      y: 4,
      profile: 4,
      keys: 'CtrlLeft:1.25 Win:1.25 AltLeft:1.25 Space:6.25 AltRight:1.25 Fn:1.25 Ls:1.25 CtrlRight:1.25',
    },
  ],
  '40%': [
    { y: 0, profile: 2, keys: `Esc ${TOP_LETTERS} Backspace:1.75` },
    { y: 1, profile: 3, keys: `Tab:1.25 ${HOME_LETTERS} TwoDots Enter:1.5` },
    { y: 2, profile: 4, keys: `ShiftLeft:1.75 ${BOTTOM_LETTERS} Less More Vertical ShiftRight` },
    { y: 3, profile: 4, keys: 'CtrlLeft:1.25 Win AltLeft:1.25 Space:6.25 AltRight Fn CtrlRight' },
  ],
};

const NAMES: Record<BoxTypeTitle, { box: string; kit: string; keyboard: string }> = {
  '100%': { box: 'Box100', kit: 'Kit100', keyboard: 'Keyboard100' },
  '75%': { box: 'Box75', kit: 'Kit75', keyboard: 'Keyboard75' },
  '60%': { box: 'Box60', kit: 'Kit60', keyboard: 'Keyboard60' },
  '40%': { box: 'Box40', kit: 'Kit40', keyboard: 'Keyboard40' },
};

/** File names of the original that do not follow {@link keycapFileName}'s rule. */
const FILE_NAME_EXCEPTIONS: Partial<Record<BoxTypeTitle, Record<string, string>>> = {
  // The original's 40% kit alone spells it with a capital letter.
  '40%': { Esc: 'Esc' },
};

/**
 * The original's rule for a keycap's file name: "AltLeft" -> "alt_left", "F1" -> "f1", keypad keys
 * "Num0" -> "num_0", "Num-" -> "num_-", and the keypad slash "Num" -> "num__"; symbols stay as they are.
 */
export function keycapFileName(title: string): string {
  if (/^Num/.test(title)) return `num_${title.slice(3).toLowerCase() || '_'}`;
  return title.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

const ACCENT = new Set(['Esc', 'Enter', 'NumEnter']);

function groupOf(name: string): KeyGroup {
  if (ACCENT.has(name)) return 'accent';
  if (
    /^[A-Z0-9]$/.test(name) ||
    ['`', '-', '=', '[', ']', 'Vertical', 'TwoDots', 'TwoQuotes', 'Less', 'More', 'Slash', 'Space'].includes(name)
  ) {
    return 'alpha';
  }
  if (/^Num[0-9]$/.test(name) || name === 'NumDot') return 'alpha';
  return 'modifier';
}

function buildLayout(title: BoxTypeTitle): Layout {
  const keys: LayoutKey[] = [];
  const exceptions = FILE_NAME_EXCEPTIONS[title] ?? {};
  let width = 0;
  let height = 0;
  ROWS[title].forEach((spec, row) => {
    let x = 0;
    for (const token of spec.keys.split(' ')) {
      if (/^_[0-9.]+$/.test(token)) {
        x += Number(token.slice(1));
        continue;
      }
      const match = /^(.+?)(?::([0-9.]+)(?:x([0-9.]+))?)?$/.exec(token);
      if (!match?.[1]) throw new Error(`Bad key "${token}" in the ${title} layout`);
      const name = match[1];
      const keyWidth = match[2] ? Number(match[2]) : 1;
      const keyHeight = match[3] ? Number(match[3]) : 1;
      keys.push({
        name,
        fileName: exceptions[name] ?? keycapFileName(name),
        row,
        x,
        y: spec.y,
        width: keyWidth,
        height: keyHeight,
        profile: spec.profile,
        group: groupOf(name),
      });
      x += keyWidth;
      width = Math.max(width, x);
      height = Math.max(height, spec.y + keyHeight);
    }
  });
  const names = NAMES[title];
  return { title, boxName: names.box, kitName: names.kit, keyboardName: names.keyboard, width, height, keys };
}

export const layouts: Readonly<Record<BoxTypeTitle, Layout>> = {
  '100%': buildLayout('100%'),
  '75%': buildLayout('75%'),
  '60%': buildLayout('60%'),
  '40%': buildLayout('40%'),
};

export type SwitchTitle = 'MX Black' | 'MX Blue' | 'MX Brown' | 'MX Red';
export const SWITCH_TITLES: readonly SwitchTitle[] = ['MX Black', 'MX Blue', 'MX Brown', 'MX Red'];

export interface SwitchSpec {
  readonly title: SwitchTitle;
  /** The original's file name: switches/<fileName>.glb|.webp|.wav. */
  readonly fileName: string;
  readonly kind: 'linear' | 'tactile' | 'clicky';
  /** Stem colour, sRGB hex. */
  readonly stemColor: string;
}

export const switches: Readonly<Record<SwitchTitle, SwitchSpec>> = {
  'MX Black': { title: 'MX Black', fileName: 'mxblack', kind: 'linear', stemColor: '#26282b' },
  'MX Blue': { title: 'MX Blue', fileName: 'mxblue', kind: 'clicky', stemColor: '#2f6fd0' },
  'MX Brown': { title: 'MX Brown', fileName: 'mxbrown', kind: 'tactile', stemColor: '#7b4a26' },
  'MX Red': { title: 'MX Red', fileName: 'mxred', kind: 'linear', stemColor: '#d1302f' },
};
