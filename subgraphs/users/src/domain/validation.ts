import { errors, type MessageKey } from '@keylab/errors';
import { normalizeEmail } from './users';

// No spaces, control characters (NUL cannot be stored) or lone surrogates (\p{Cs}: not valid text).
const EMAIL = /^[^\s\p{Cc}\p{Cs}@"<>()[\]\\,;:]+@[^\s\p{Cc}\p{Cs}@"<>()[\]\\,;:]+\.[^\s\p{Cc}\p{Cs}@"<>()[\]\\,;:.]+$/u;
const NICKNAME = /^[\p{L}\p{N}_-]{3,32}$/u;

/** Checks one input value; BAD_USER_INPUT naming the field when it does not pass. */
function check(field: string, ok: boolean, reason: MessageKey): void {
  if (!ok) throw errors.badInput(field, reason);
}

/** The normalized address (trimmed, NFC, lower case), or BAD_USER_INPUT. */
export function validEmail(value: string, field = 'email'): string {
  const email = normalizeEmail(value);
  check(field, email.length <= 254 && EMAIL.test(email), 'input.email');
  return email;
}

/** Any characters, 8 to 128 code points (NIST 800-63B: no composition rules). */
export function validPassword(value: string, field = 'password'): string {
  const length = [...value].length;
  check(field, length >= 8 && length <= 128, 'input.password');
  return value;
}

export function validNickname(value: string, field = 'nickname'): string {
  const nickname = value.trim().normalize('NFC');
  check(field, NICKNAME.test(nickname), 'input.nickname');
  return nickname;
}

export function validCode(value: string, field = 'code'): string {
  const code = value.trim();
  check(field, /^\d{6}$/.test(code), 'input.code');
  return code;
}

export function validDeviceLabel(value: string | null | undefined, userAgent: string | undefined): string {
  if (value != null) {
    check('deviceLabel', value.length <= 100, 'input.deviceLabel');
    check('deviceLabel', !/[\p{Cc}\p{Cs}]/u.test(value), 'input.plainText');
    return value.trim() || 'unnamed device';
  }
  return (userAgent ?? 'unknown device').slice(0, 100);
}
