import type { EmailLocale, EmailTemplate } from '@keylab/messaging';

/**
 * The emails the worker sends, in English and Russian. A template returns plain-text blocks; `renderEmail`
 * alone turns them into the HTML and the plain-text part, and it HTML-escapes every block, so no
 * template can put a parameter into the HTML unescaped.
 */
type Block =
  | { kind: 'heading'; text: string }
  /** A one-time code, shown large and bold. */
  | { kind: 'code'; text: string }
  | { kind: 'paragraph'; text: string };

interface Content {
  subject: string;
  blocks: Block[];
}

/** Thrown when a request lacks a parameter its template needs: the request can never be sent. */
export class TemplateParamsError extends Error {
  override name = 'TemplateParamsError';
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const CODE_MINUTES = 10;

const heading = (text: string): Block => ({ kind: 'heading', text });
const code = (text: string): Block => ({ kind: 'code', text });
const paragraph = (text: string): Block => ({ kind: 'paragraph', text });

/** Parameters each template needs; `nickname` is optional everywhere and adds a greeting. */
export const TEMPLATE_PARAMS: Record<EmailTemplate, readonly string[]> = {
  'sign-up-code': ['code'],
  'account-exists': [],
  'password-reset-code': ['code'],
  'email-change-code': ['code'],
  'email-changed': ['newEmail'],
  'password-changed': [],
};

type Params = Record<string, string>;
type Templates = Record<EmailTemplate, (params: Params) => Content>;

const en: Templates = {
  'sign-up-code': (p) => ({
    subject: 'Your KeyLab sign-up code',
    blocks: [
      heading('Email confirmation code to sign up on KeyLab'),
      code(p.code!),
      paragraph(`The code is valid for ${CODE_MINUTES} minutes.`),
      paragraph('If you did not sign up on KeyLab, ignore this email.'),
    ],
  }),
  'account-exists': () => ({
    subject: 'Someone tried to sign up on KeyLab with your email',
    blocks: [
      heading('Someone tried to sign up on KeyLab with this email address'),
      paragraph('This address already has a KeyLab account, so no new account was created.'),
      paragraph('If it was you, sign in with your password, or reset your password if you have forgotten it.'),
      paragraph('If it was not you, ignore this email: nothing has changed in your account.'),
    ],
  }),
  'password-reset-code': (p) => ({
    subject: 'Your KeyLab password reset code',
    blocks: [
      heading('Code to reset your KeyLab password'),
      code(p.code!),
      paragraph(`The code is valid for ${CODE_MINUTES} minutes.`),
      paragraph('If you did not ask to reset your password, ignore this email: your password stays the same.'),
    ],
  }),
  'email-change-code': (p) => ({
    subject: 'Confirm your new KeyLab email address',
    blocks: [
      heading('Code to confirm your new email address on KeyLab'),
      code(p.code!),
      paragraph(
        `Enter this code on KeyLab to confirm that this address is yours. The code is valid for ${CODE_MINUTES} minutes.`,
      ),
      paragraph('If you did not ask to change your email address, ignore this email.'),
    ],
  }),
  'email-changed': (p) => ({
    subject: 'Your KeyLab email address was changed',
    blocks: [
      heading('The email address of your KeyLab account was changed'),
      paragraph(`Your account now uses ${p.newEmail!}. KeyLab will send its emails to that address from now on.`),
      paragraph(
        'If you did not make this change, someone else may have access to your account: contact the KeyLab administration.',
      ),
    ],
  }),
  'password-changed': () => ({
    subject: 'Your KeyLab password was changed',
    blocks: [
      heading('The password of your KeyLab account was changed'),
      paragraph('If it was you, there is nothing more to do.'),
      paragraph('If it was not you, reset your password at once and contact the KeyLab administration.'),
    ],
  }),
};

const ru: Templates = {
  'sign-up-code': (p) => ({
    subject: 'Ваш код для регистрации в KeyLab',
    blocks: [
      heading('Код подтверждения почты для регистрации на платформе KeyLab'),
      code(p.code!),
      paragraph(`Код будет активен в течение ${CODE_MINUTES} минут.`),
      paragraph('Если вы не регистрировались в KeyLab, просто проигнорируйте это письмо.'),
    ],
  }),
  'account-exists': () => ({
    subject: 'Попытка регистрации в KeyLab с вашей почтой',
    blocks: [
      heading('Кто-то пытался зарегистрироваться в KeyLab с этим адресом почты'),
      paragraph('С этим адресом уже связан аккаунт KeyLab, поэтому новый аккаунт не создан.'),
      paragraph('Если это были вы, войдите со своим паролем или сбросьте пароль, если вы его забыли.'),
      paragraph('Если это были не вы, просто проигнорируйте это письмо: в вашем аккаунте ничего не изменилось.'),
    ],
  }),
  'password-reset-code': (p) => ({
    subject: 'Код для сброса пароля KeyLab',
    blocks: [
      heading('Код для сброса пароля на платформе KeyLab'),
      code(p.code!),
      paragraph(`Код будет активен в течение ${CODE_MINUTES} минут.`),
      paragraph('Если вы не запрашивали сброс пароля, проигнорируйте это письмо: ваш пароль останется прежним.'),
    ],
  }),
  'email-change-code': (p) => ({
    subject: 'Подтвердите новый адрес почты в KeyLab',
    blocks: [
      heading('Код подтверждения нового адреса почты в KeyLab'),
      code(p.code!),
      paragraph(
        `Введите этот код в KeyLab, чтобы подтвердить, что этот адрес принадлежит вам. Код будет активен в течение ${CODE_MINUTES} минут.`,
      ),
      paragraph('Если вы не меняли адрес почты, просто проигнорируйте это письмо.'),
    ],
  }),
  'email-changed': (p) => ({
    subject: 'Адрес почты вашего аккаунта KeyLab изменён',
    blocks: [
      heading('Адрес почты вашего аккаунта KeyLab изменён'),
      paragraph(`Теперь ваш аккаунт использует адрес ${p.newEmail!}. Письма от KeyLab будут приходить на него.`),
      paragraph('Если вы не меняли адрес, возможно, кто-то получил доступ к вашему аккаунту: обратитесь к администрации KeyLab.'),
    ],
  }),
  'password-changed': () => ({
    subject: 'Пароль вашего аккаунта KeyLab изменён',
    blocks: [
      heading('Пароль вашего аккаунта KeyLab изменён'),
      paragraph('Если это были вы, больше ничего делать не нужно.'),
      paragraph('Если это были не вы, немедленно сбросьте пароль и обратитесь к администрации KeyLab.'),
    ],
  }),
};

const TEMPLATES: Record<EmailLocale, Templates> = { en, ru };

const GREETING: Record<EmailLocale, (nickname: string) => string> = {
  en: (nickname) => `Hello, ${nickname}!`,
  ru: (nickname) => `Здравствуйте, ${nickname}!`,
};

const FOOTER: Record<EmailLocale, string> = {
  en: 'This email was generated automatically. You do not need to reply to it.',
  ru: 'Это письмо было создано автоматически. На него отвечать не нужно.',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

function blockHtml(block: Block): string {
  const text = escapeHtml(block.text);
  switch (block.kind) {
    case 'heading':
      return `<h3>${text}</h3>`;
    case 'code':
      return `<p style="font-size:24px;letter-spacing:4px"><b>${text}</b></p>`;
    case 'paragraph':
      return `<p>${text}</p>`;
  }
}

/** The subject and both parts of one email; throws TemplateParamsError when a needed parameter is missing. */
export function renderEmail(template: EmailTemplate, locale: EmailLocale, params: Params): RenderedEmail {
  const missing = TEMPLATE_PARAMS[template].filter((name) => !params[name]);
  if (missing.length) throw new TemplateParamsError(`${template} needs the parameters ${missing.join(', ')}`);
  const { subject, blocks } = TEMPLATES[locale][template](params);
  const [title, ...body] = blocks;
  const greeting = params.nickname ? [paragraph(GREETING[locale](params.nickname))] : [];
  const all = [title!, ...greeting, ...body, paragraph(FOOTER[locale])];
  const html = [
    '<!doctype html>',
    `<html lang="${locale}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    `<body>${all.map(blockHtml).join('')}</body>`,
    '</html>',
  ].join('\n');
  const text = `${all.map((block) => block.text).join('\n\n')}\n`;
  return { subject, html, text };
}
