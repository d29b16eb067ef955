import { errors } from '@keylab/errors';
import { TITLE_MAX } from './items';

/** A search longer than the longest title cannot match anything. */
export const SEARCH_MAX = TITLE_MAX;

/** LIKE's wildcards and its escape character, taken literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, '\\$&');

/**
 * The filter of `search`: titles that contain the text, in any case (ILIKE, which folds case by the
 * database's LC_CTYPE: C.UTF-8 or any UTF-8 locale folds Cyrillic and the rest of Unicode). Trimmed and
 * NFC like titles; empty means no filter. BAD_USER_INPUT on `search` when it is too long or holds control
 * characters (PostgreSQL cannot even compare a NUL).
 */
export function titleSearch(search: string | null | undefined): { title?: { contains: string; mode: 'insensitive' } } {
  if (search == null) return {};
  const text = search.trim().normalize('NFC');
  if ([...text].length > SEARCH_MAX || /[\p{Cc}\p{Cs}]/u.test(text)) {
    throw errors.badInput('search', 'input.search', { max: SEARCH_MAX });
  }
  return text ? { title: { contains: escapeLike(text), mode: 'insensitive' } } : {};
}
