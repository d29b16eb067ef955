import type { Locale } from '@keylab/errors';

type Message = Record<Locale, string>;

/**
 * Every message of this package a user can see, in each language, by stable reason code; `{name}` is
 * replaced by a parameter. (Kept here rather than in @keylab/errors: only the file endpoints use them.)
 */
export const fileMessages = {
  empty: {
    en: 'The file is empty.',
    ru: 'Файл пуст.',
  },
  too_large: {
    en: 'The file is too large: at most {limit} is allowed.',
    ru: 'Файл слишком большой: допускается не более {limit}.',
  },
  not_glb: {
    en: 'The model must be a binary glTF 2.0 file (.glb).',
    ru: 'Модель должна быть файлом двоичного glTF 2.0 (.glb).',
  },
  glb_version: {
    en: 'The model is glTF version {version}; only glTF 2.0 is supported.',
    ru: 'Модель в формате glTF версии {version}; поддерживается только glTF 2.0.',
  },
  glb_length: {
    en: 'The model file is truncated or damaged: its header gives {declared} bytes, the file has {actual}.',
    ru: 'Файл модели обрезан или повреждён: в заголовке указано {declared} байт, в файле {actual}.',
  },
  glb_chunks: {
    en: 'The model file is damaged: its parts (chunks) do not add up to a GLB file.',
    ru: 'Файл модели повреждён: его части (chunks) не складываются в файл GLB.',
  },
  gltf_invalid: {
    en: 'The model is not valid glTF 2.0: {details}',
    ru: 'Модель не соответствует glTF 2.0: {details}',
  },
  model_empty: {
    en: 'The model has no geometry (no mesh with vertex positions).',
    ru: 'В модели нет геометрии (ни одной сетки с координатами вершин).',
  },
  not_webp: {
    en: 'The preview must be a WebP, PNG or JPEG image.',
    ru: 'Превью должно быть изображением WebP, PNG или JPEG.',
  },
  image_invalid: {
    en: 'The image is damaged and cannot be decoded.',
    ru: 'Изображение повреждено и не может быть прочитано.',
  },
  image_too_large: {
    en: 'The image is {width}×{height} pixels; at most {max}×{max} is allowed.',
    ru: 'Размер изображения {width}×{height} пикселей; допускается не более {max}×{max}.',
  },
  not_audio: {
    en: 'The sound must be an MP3, OGG or WAV file.',
    ru: 'Звук должен быть файлом MP3, OGG или WAV.',
  },
  sound_invalid: {
    en: 'The sound is damaged or not a whole {format} file: its parts do not add up.',
    ru: 'Звук повреждён или не является целым файлом {format}: его части не сходятся.',
  },
  upload_quota: {
    en: 'Your uploads not attached to anything yet hold {held}; at most {limit} may wait. Attach them, or wait until they expire.',
    ru: 'Ваши ещё не прикреплённые загрузки занимают {held}; ожидать может не более {limit}. Прикрепите их или дождитесь, пока они истекут.',
  },
  busy: {
    en: 'Too many files are being checked right now. Try again in {retryAfterSeconds} s.',
    ru: 'Сейчас проверяется слишком много файлов. Повторите через {retryAfterSeconds} с.',
  },
  no_file: {
    en: 'No file was sent: attach one file.',
    ru: 'Файл не передан: приложите один файл.',
  },
  too_many_files: {
    en: 'Send one file per request.',
    ru: 'Отправляйте по одному файлу в запросе.',
  },
  malformed: {
    en: 'The upload was cut off or is not a well-formed request body.',
    ru: 'Загрузка прервана или тело запроса составлено неверно.',
  },
  unsupported_media_type: {
    en: 'Send the file as multipart/form-data or as the body with its own content type.',
    ru: 'Отправьте файл как multipart/form-data или телом запроса с его собственным типом содержимого.',
  },
  unknown_kind: {
    en: 'Files can be uploaded as model, preview or sound only.',
    ru: 'Загрузить можно только файлы видов model, preview или sound.',
  },
  not_found: {
    en: 'There is no such file.',
    ru: 'Такого файла нет.',
  },
  internal: {
    en: 'Something went wrong on our side. Try again later.',
    ru: 'Ошибка на нашей стороне. Повторите попытку позже.',
  },
} satisfies Record<string, Message>;

export type FileMessageKey = keyof typeof fileMessages;

export function translateFile(locale: Locale, key: FileMessageKey, params: Record<string, string | number> = {}): string {
  return fileMessages[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** 67108864 -> "64 MiB" (ru "64 МиБ"); sizes under 1 KiB in bytes. */
export function formatBytes(bytes: number, locale: Locale): string {
  const units = locale === 'ru' ? ['байт', 'КиБ', 'МиБ', 'ГиБ'] : ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${locale === 'ru' ? rounded.replace('.', ',') : rounded} ${units[unit]}`;
}
