import { en, ru, type MessageKey, type Messages } from './messages';

export type Locale = 'en' | 'ru';
export type { MessageKey };

/** Russian for a browser set to Russian, English otherwise; also sent as Accept-Language. */
export const locale: Locale = navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';

const catalogue: Record<Locale, Messages> = { en, ru };

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return catalogue[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

const integer = new Intl.NumberFormat(locale);
const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
const clock = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });

export const formatCount = (value: number) => integer.format(value);
export const formatPercent = (share: number) => percent.format(share);
export const formatMilliseconds = (ms: number) => t('unit.milliseconds', { value: decimal.format(ms) });
/** A moment as the browser's clock shows it (for "updated at" and "try again at"). */
export const formatClock = (date: Date) => clock.format(date);

/** 42 s, 4 min 12 s, 1 h 5 min. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return t('unit.seconds', { value: decimal.format(seconds < 10 ? seconds : Math.round(seconds)) });
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours) return `${t('unit.hours', { value: hours })} ${t('unit.minutes', { value: minutes })}`;
  return rest
    ? `${t('unit.minutes', { value: minutes })} ${t('unit.seconds', { value: rest })}`
    : t('unit.minutes', { value: minutes });
}
