import type { Locale } from './locale';

type Params = Record<string, string | number>;
type Message = Record<Locale, string>;

/** Every message a user can see, in each language; `{name}` is replaced by a parameter. */
export const messages = {
  'auth.required': {
    en: 'Sign in to do this.',
    ru: 'Войдите, чтобы выполнить это действие.',
  },
  'auth.invalidToken': {
    en: 'The access token is invalid or has expired: refresh it or sign in again.',
    ru: 'Токен доступа недействителен или истёк: обновите его или войдите снова.',
  },
  'auth.adminOnly': {
    en: 'Only an administrator can do this.',
    ru: 'Это может сделать только администратор.',
  },
  'input.invalid': {
    en: 'Invalid value of {field}: {reason}.',
    ru: 'Недопустимое значение поля {field}: {reason}.',
  },
  'input.pageSize': {
    en: 'must be between 1 and {max}',
    ru: 'должно быть от 1 до {max}',
  },
  'input.cursor': {
    en: 'is not a cursor this list gave out',
    ru: 'не является курсором этого списка',
  },
  notFound: {
    en: 'Nothing was found with this id.',
    ru: 'По этому идентификатору ничего не найдено.',
  },
  internal: {
    en: 'Something went wrong on our side. Try again; if it keeps failing, report request id {requestId}.',
    ru: 'Ошибка на нашей стороне. Повторите попытку; если ошибка повторяется, сообщите идентификатор запроса {requestId}.',
  },
  'subgraph.unavailable': {
    en: 'Part of the service ({service}) is unavailable right now. Try again shortly.',
    ru: 'Часть сервиса ({service}) сейчас недоступна. Повторите попытку чуть позже.',
  },
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof messages;

export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  return messages[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
