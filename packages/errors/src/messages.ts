import type { Locale } from './locale';

/** A message of the catalogue with its parameters; a parameter may be a message of its own. */
export interface MessageRef {
  key: MessageKey;
  params?: MessageParams;
}
export type MessageParams = Record<string, string | number | MessageRef>;
type Message = Record<Locale, string>;

/** Every message a user can see, in each language; `{name}` is replaced by a parameter. */
export const messages = {
  'auth.required': {
    en: 'Sign in to do this.',
    ru: 'Войдите, чтобы выполнить это действие.',
  },
  'auth.invalidToken': {
    en: 'The access token is not valid: sign in again.',
    ru: 'Токен доступа недействителен: войдите снова.',
  },
  'auth.tokenExpired': {
    en: 'The access token has expired: refresh the session (refreshSession) and try again.',
    ru: 'Срок действия токена доступа истёк: обновите сессию (refreshSession) и повторите попытку.',
  },
  'auth.tokenRevoked': {
    en: 'This session has ended: sign in again.',
    ru: 'Эта сессия завершена: войдите снова.',
  },
  'auth.keysUnavailable': {
    en: 'Your sign-in cannot be checked right now: try again in a minute.',
    ru: 'Сейчас не удаётся проверить ваш вход: повторите попытку через минуту.',
  },
  'auth.adminOnly': {
    en: 'Only an administrator can do this.',
    ru: 'Это может сделать только администратор.',
  },
  'input.invalid': {
    en: 'Invalid value of {field}: {reason}.',
    ru: 'Недопустимое значение поля «{field}»: {reason}.',
  },
  'input.pageSize': {
    en: 'must be between 1 and {max}',
    ru: 'должно быть от 1 до {max}',
  },
  'input.cursor': {
    en: 'is not a cursor this list gave out',
    ru: 'не является курсором этого списка',
  },
  'input.cursorOrder': {
    en: 'is a cursor of this list in another order: pass the orderBy of the page it came from',
    ru: 'является курсором этого списка в другом порядке: передайте тот же orderBy, что и для страницы, с которой он взят',
  },
  'input.firstAndLast': {
    en: 'cannot be given together with first: page forwards with first and after, or backwards with last and before',
    ru: 'нельзя передавать вместе с first: листайте вперёд с first и after или назад с last и before',
  },
  'input.search': {
    en: 'must be at most {max} characters, without control characters',
    ru: 'должно содержать не более {max} символов, без управляющих символов',
  },
  'input.email': {
    en: 'is not an email address such as ivanov@mail.ru',
    ru: 'не является адресом почты вида ivanov@mail.ru',
  },
  'input.password': {
    en: 'must be 8 to 128 characters',
    ru: 'должен содержать от 8 до 128 символов',
  },
  'input.nickname': {
    en: 'must be 3 to 32 letters, digits, _ or -',
    ru: 'должен состоять из 3–32 букв, цифр, _ или -',
  },
  'input.code': {
    en: 'must be the 6 digits from the email',
    ru: 'должен состоять из 6 цифр из письма',
  },
  'input.deviceLabel': {
    en: 'must be at most 100 characters',
    ru: 'должно содержать не более 100 символов',
  },
  'input.plainText': {
    en: 'must be plain text, without control characters',
    ru: 'должно быть обычным текстом, без управляющих символов',
  },
  'input.samePassword': {
    en: 'must differ from the current password',
    ru: 'должен отличаться от текущего пароля',
  },
  'input.sameEmail': {
    en: 'is already the address of this account',
    ru: 'уже является адресом этой учётной записи',
  },
  'code.invalid': {
    en: 'The code is wrong or has expired. Check the latest email or request a new code.',
    ru: 'Код неверный или истёк. Проверьте последнее письмо или запросите новый код.',
  },
  'code.tooManyTries': {
    en: 'Too many wrong tries: this code no longer works. Request a new code.',
    ru: 'Слишком много неверных попыток: этот код больше не действует. Запросите новый код.',
  },
  'code.cooldown': {
    en: 'A code was sent to this address a moment ago. You can ask for another in {seconds} s.',
    ru: 'Код на этот адрес только что отправлен. Новый можно запросить через {seconds} с.',
  },
  rateLimited: {
    en: 'Too many attempts. Try again in {seconds} s.',
    ru: 'Слишком много попыток. Повторите через {seconds} с.',
  },
  'auth.badCredentials': {
    en: 'The email or the password is wrong.',
    ru: 'Неверная почта или пароль.',
  },
  'auth.wrongPassword': {
    en: 'is not the current password of this account',
    ru: 'не совпадает с текущим паролем учётной записи',
  },
  'auth.sessionEnded': {
    en: 'This session has ended or expired: sign in again.',
    ru: 'Сеанс завершён или истёк: войдите снова.',
  },
  'auth.noRefreshToken': {
    en: 'No refresh token: send it in the input or in the cookie, or sign in.',
    ru: 'Нет токена обновления: передайте его в запросе или в cookie либо войдите.',
  },
  'email.taken': {
    en: 'An account with this email already exists.',
    ru: 'Учётная запись с этой почтой уже существует.',
  },
  'input.title': {
    en: 'must be {min} to {max} characters',
    ru: 'должно содержать от {min} до {max} символов',
  },
  'input.id': {
    en: 'is not an id of this catalogue',
    ru: 'не является идентификатором каталога',
  },
  'catalogue.notYours': {
    en: 'This item belongs to someone else (or to the default catalogue): you cannot change it.',
    ru: 'Этот элемент принадлежит другому пользователю (или стандартному каталогу): изменить его нельзя.',
  },
  'catalogue.titleTaken': {
    en: 'You already have an item of this kind with this title.',
    ru: 'У вас уже есть элемент этого вида с таким названием.',
  },
  'catalogue.noDefaultKit': {
    en: 'There is no default keycap kit for this box type to copy.',
    ru: 'Для этого типа бокса нет стандартного набора кейкапов для копирования.',
  },
  'input.upload': {
    en: 'is not an upload of yours of kind {kind} (upload it first to /uploads/{kind})',
    ru: 'не является вашей загрузкой вида {kind} (сначала загрузите файл в /uploads/{kind})',
  },
  'input.periodReversed': {
    en: 'must be later than from',
    ru: 'должно быть позже начала периода (from)',
  },
  'input.periodFuture': {
    en: 'is in the future: statistics start at the present moment at the latest',
    ru: 'находится в будущем: статистика может начинаться не позже текущего момента',
  },
  'input.periodTooLong': {
    en: 'gives {buckets} buckets of {interval}, more than {max}: choose a longer interval or a shorter period',
    ru: 'даёт {buckets} интервалов по {interval}, больше {max}: выберите более длинный интервал или более короткий период',
  },
  'input.periodTooLongOverall': {
    en: 'makes a period longer than {days} days',
    ru: 'даёт период длиннее {days} дней',
  },
  'input.timeZone': {
    en: 'is not a known IANA time zone such as Europe/Moscow or UTC',
    ru: 'не является известным часовым поясом IANA, например Europe/Moscow или UTC',
  },
  'input.activity': {
    en: 'names an unknown activity: {tag}',
    ru: 'содержит неизвестный вид активности: {tag}',
  },
  'export.invalid': {
    en: 'This export link is not valid: ask for a new one.',
    ru: 'Эта ссылка на выгрузку недействительна: запросите новую.',
  },
  'export.expired': {
    en: 'This export link has expired: ask for a new one.',
    ru: 'Срок действия ссылки на выгрузку истёк: запросите новую.',
  },
  'limits.depth': {
    en: 'The operation is nested {found} levels deep; at most {max} are allowed.',
    ru: 'Операция вложена на {found} уровней; допускается не более {max}.',
  },
  'limits.aliases': {
    en: 'The operation uses {found} aliases; at most {max} are allowed.',
    ru: 'В операции {found} псевдонимов (alias); допускается не более {max}.',
  },
  'limits.directives': {
    en: 'The operation uses {found} directives; at most {max} are allowed.',
    ru: 'В операции {found} директив; допускается не более {max}.',
  },
  'limits.cost': {
    en: 'The operation would cost {found}; at most {max} is allowed: ask for fewer items or fields.',
    ru: 'Стоимость операции {found}, допускается не более {max}: запросите меньше элементов или полей.',
  },
  'limits.tokens': {
    en: 'The operation is too long: at most {max} tokens are allowed.',
    ru: 'Операция слишком длинная: допускается не более {max} лексем.',
  },
  'limits.batch': {
    en: 'A batch may hold at most {max} operations.',
    ru: 'Пакет может содержать не более {max} операций.',
  },
  'limits.body': {
    en: 'The request body is larger than {max}.',
    ru: 'Тело запроса больше {max}.',
  },
  'request.json': {
    en: 'The request body is not valid JSON.',
    ru: 'Тело запроса не является корректным JSON.',
  },
  'request.pageNotBuilt': {
    en: 'This page has not been built on the server yet: run npm run build -w @keylab/web.',
    ru: 'Эта страница ещё не собрана на сервере: выполните npm run build -w @keylab/web.',
  },
  'request.gatewayOnly': {
    en: 'This service answers the gateway only.',
    ru: 'Этот сервис отвечает только шлюзу.',
  },
  'request.origin': {
    en: 'Requests from this origin are not allowed.',
    ru: 'Запросы с этого источника (origin) не принимаются.',
  },
  'service.unavailable': {
    en: 'Part of this answer is missing: the {service} service cannot be reached right now. Try again in a moment.',
    ru: 'Часть ответа отсутствует: сервис {service} сейчас недоступен. Повторите попытку чуть позже.',
  },
  'input.tooManyIds': {
    en: 'must hold at most {max} ids',
    ru: 'должно содержать не более {max} идентификаторов',
  },
  'catalogue.nothingToReplace': {
    en: 'Name at least one upload to attach (modelUploadId or previewUploadId): nothing was changed.',
    ru: 'Укажите хотя бы одну загрузку для прикрепления (modelUploadId или previewUploadId): ничего не изменено.',
  },
  'input.titleCharacters': {
    en: 'must not contain control characters',
    ru: 'не должно содержать управляющих символов',
  },
  'request.operation': {
    en: 'The document has no single operation to run: name one of its operations in operationName.',
    ru: 'В документе нет единственной операции для выполнения: укажите имя одной из операций в operationName.',
  },
  'request.subscription': {
    en: 'Subscriptions are not offered by this API.',
    ru: 'Подписки (subscription) этим API не поддерживаются.',
  },
  'request.body': {
    en: 'The request body cannot be read: send JSON, uncompressed or gzip, deflate or br.',
    ru: 'Тело запроса не удаётся прочитать: отправьте JSON без сжатия или со сжатием gzip, deflate или br.',
  },
  'interval.MINUTE': { en: '1 minute', ru: '1 минута' },
  'interval.FIFTEEN_MINUTES': { en: '15 minutes', ru: '15 минут' },
  'interval.HOUR': { en: '1 hour', ru: '1 час' },
  'interval.DAY': { en: '1 day', ru: '1 день' },
  'interval.WEEK': { en: '1 week', ru: '1 неделя' },
  'interval.MONTH': { en: '1 month', ru: '1 месяц' },
  // What the input fields are called where an error names one (see fieldRef).
  'field.email': { en: 'email', ru: 'почта' },
  'field.newEmail': { en: 'newEmail', ru: 'новая почта' },
  'field.password': { en: 'password', ru: 'пароль' },
  'field.newPassword': { en: 'newPassword', ru: 'новый пароль' },
  'field.currentPassword': { en: 'currentPassword', ru: 'текущий пароль' },
  'field.nickname': { en: 'nickname', ru: 'никнейм' },
  'field.code': { en: 'code', ru: 'код' },
  'field.deviceLabel': { en: 'deviceLabel', ru: 'название устройства' },
  'field.refreshToken': { en: 'refreshToken', ru: 'токен обновления' },
  'field.sessionId': { en: 'sessionId', ru: 'сессия' },
  'field.id': { en: 'id', ru: 'идентификатор' },
  'field.title': { en: 'title', ru: 'название' },
  'field.first': { en: 'first', ru: 'размер страницы' },
  'field.after': { en: 'after', ru: 'курсор' },
  'field.last': { en: 'last', ru: 'размер страницы с конца' },
  'field.before': { en: 'before', ru: 'курсор «до»' },
  'field.search': { en: 'search', ru: 'поиск' },
  'field.boxTypeId': { en: 'boxTypeId', ru: 'тип корпуса' },
  'field.switchId': { en: 'switchId', ru: 'переключатель' },
  'field.keycapId': { en: 'keycapId', ru: 'кейкап' },
  'field.ids': { en: 'ids', ru: 'идентификаторы' },
  'field.modelUploadId': { en: 'modelUploadId', ru: 'загруженная модель' },
  'field.previewUploadId': { en: 'previewUploadId', ru: 'загруженное превью' },
  'field.soundUploadId': { en: 'soundUploadId', ru: 'загруженный звук' },
  'field.activities': { en: 'activities', ru: 'активности' },
  'field.timeZone': { en: 'timeZone', ru: 'часовой пояс' },
  'field.from': { en: 'from', ru: 'начало периода' },
  'field.to': { en: 'to', ru: 'конец периода' },
  'field.interval': { en: 'interval', ru: 'интервал' },
  'field.top': { en: 'top', ru: 'длина списка' },
  notFound: {
    en: 'Nothing was found with this id.',
    ru: 'По этому идентификатору ничего не найдено.',
  },
  internal: {
    en: 'Something went wrong on our side. Try again; if it keeps failing, report request id {requestId}.',
    ru: 'Ошибка на нашей стороне. Повторите попытку; если ошибка повторяется, сообщите идентификатор запроса {requestId}.',
  },
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof messages;

/**
 * A field as an error names it: its title in the catalogue (`field.<name>`; English keeps the GraphQL
 * name, which is what a developer looks for), or the name itself for a field not listed there.
 */
export const fieldRef = (field: string): string | MessageRef =>
  `field.${field}` in messages ? { key: `field.${field}` as MessageKey } : field;

export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  return messages[key][locale].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'object' ? translate(locale, value.key, value.params) : String(value);
  });
}
