// Wall clocks of an IANA time zone, from the browser's own time zone data (Intl).

/**
 * Chromium's ICU still calls some zones by their old IANA names (Asia/Calcutta, Europe/Kiev); the page
 * offers and sends the current ones. Intl accepts both.
 */
const CURRENT_NAMES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};
const currentName = (zone: string) => CURRENT_NAMES[zone] ?? zone;

export const browserTimeZone = (): string => currentName(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockParts(date: Date, timeZone: string): Record<string, number> {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(timeZone, format);
  }
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, Number(part.value)]));
}

/** How far the zone's clock is ahead of UTC at this moment, in milliseconds. */
export function offsetMs(date: Date, timeZone: string): number {
  const p = wallClockParts(date, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - (date.getTime() - date.getMilliseconds());
}

/** UTC+05:30 */
export function offsetLabel(date: Date, timeZone: string): string {
  const minutes = Math.round(offsetMs(date, timeZone) / 60_000);
  const sign = minutes < 0 ? '−' : '+';
  const hh = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0');
  const mm = String(Math.abs(minutes) % 60).padStart(2, '0');
  return `UTC${sign}${hh}:${mm}`;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** The value of an <input type="datetime-local" step="1"> showing this moment in the zone: 2026-11-25T21:50:07. */
export function toWallClock(iso: string, timeZone: string): string {
  const p = wallClockParts(new Date(iso), timeZone);
  return `${p.year}-${pad(p.month!)}-${pad(p.day!)}T${pad(p.hour!)}:${pad(p.minute!)}:${pad(p.second!)}`;
}

/** The moment a wall clock of the zone shows (2026-11-25T21:50 or 21:50:07), as ISO 8601; null for an unfinished value. */
export function fromWallClock(wallClock: string, timeZone: string): string | null {
  const asUtc = Date.parse(`${wallClock.length === 16 ? `${wallClock}:00` : wallClock}Z`);
  if (Number.isNaN(asUtc)) return null;
  // Twice: the first guess may fall on the other side of a DST change.
  let guess = asUtc - offsetMs(new Date(asUtc), timeZone);
  guess = asUtc - offsetMs(new Date(guess), timeZone);
  return new Date(guess).toISOString();
}

/** Every zone the browser knows, plus UTC, the browser's own and the one in use, sorted. */
export function timeZoneChoices(...extra: string[]): string[] {
  return [...new Set([...Intl.supportedValuesOf('timeZone').map(currentName), 'UTC', browserTimeZone(), ...extra])].sort();
}

/** Whether the moment is at midnight of the zone's calendar. */
export function isLocalMidnight(date: Date, timeZone: string): boolean {
  const p = wallClockParts(date, timeZone);
  return p.hour === 0 && p.minute === 0;
}
