import Negotiator from 'negotiator';

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];

/** en or ru from an Accept-Language header, by quality (the negotiator package, as Express uses); English when neither is asked for. */
export function pickLocale(acceptLanguage: string | string[] | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage;
  if (!header) return 'en';
  return (new Negotiator({ headers: { 'accept-language': header } }).language([...LOCALES]) as Locale | undefined) ?? 'en';
}
