import { describe, expect, it } from 'vitest';
import { escapeHtml, renderEmail, TEMPLATE_PARAMS, TemplateParamsError } from '@keylab/email-worker';
import { EMAIL_LOCALES, EMAIL_TEMPLATES } from '@keylab/messaging';

const PARAMS = { code: '482913', newEmail: 'new-address@example.test' };
const cases = EMAIL_TEMPLATES.flatMap((template) => EMAIL_LOCALES.map((locale) => [template, locale] as const));

describe('email templates', () => {
  it.each(cases)('%s renders in %s: subject, HTML and text, no leftover placeholder', (template, locale) => {
    const params = Object.fromEntries(TEMPLATE_PARAMS[template].map((name) => [name, PARAMS[name as keyof typeof PARAMS]]));
    const email = renderEmail(template, locale, params);
    expect(email.subject).toMatch(/KeyLab/);
    for (const part of [email.subject, email.text, email.html]) {
      expect(part).not.toMatch(/undefined|null|NaN|\[object|\$\{|\{\{|\{\d\}|\{[a-z]+\}/i);
    }
    expect(email.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${locale}">`));
    expect(email.html).toContain(`<title>${escapeHtml(email.subject)}</title>`);
    expect(email.html).toMatch(/<h3>.+<\/h3>/);
    // The text part says what the HTML says, without markup.
    expect(email.text).not.toMatch(/<[a-z/]/i);
    const cyrillic = /[а-яё]/i;
    if (locale === 'ru') {
      expect(email.subject).toMatch(cyrillic);
      expect(email.text).toMatch(cyrillic);
      expect(email.text).toContain('Это письмо было создано автоматически.');
    } else {
      expect(`${email.subject}${email.text}${email.html}`).not.toMatch(cyrillic);
      expect(email.text).toContain('This email was generated automatically.');
    }
    for (const value of Object.values(params)) {
      expect(email.text).toContain(value);
      expect(email.html).toContain(value);
    }
    if (params.code) {
      expect(email.html).toContain(`<b>${params.code}</b>`);
      expect(email.text).toMatch(locale === 'en' ? /valid for 10 minutes/ : /в течение 10 минут/);
    }
  });

  it('has a different subject for every template and locale', () => {
    const subjects = cases.map(([template, locale]) => renderEmail(template, locale, PARAMS).subject);
    expect(new Set(subjects).size).toBe(subjects.length);
  });

  it('escapes every param in the HTML part, and only there', () => {
    const hostile = `<script>alert("x")</script>&'`;
    for (const locale of EMAIL_LOCALES) {
      const code = renderEmail('sign-up-code', locale, { code: hostile, nickname: hostile });
      const changed = renderEmail('email-changed', locale, { newEmail: hostile });
      for (const email of [code, changed]) {
        expect(email.html).not.toContain('<script>');
        expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
        expect(email.text).toContain(hostile);
      }
    }
  });

  it('greets by nickname when one is given', () => {
    expect(renderEmail('password-changed', 'en', { nickname: 'ann' }).text).toContain('Hello, ann!');
    expect(renderEmail('password-changed', 'ru', { nickname: 'ann' }).text).toContain('Здравствуйте, ann!');
    expect(renderEmail('password-changed', 'en', {}).text).not.toContain('Hello');
  });

  it('refuses a request without the params its template needs', () => {
    expect(() => renderEmail('sign-up-code', 'en', {})).toThrow(TemplateParamsError);
    expect(() => renderEmail('email-changed', 'ru', { code: '1' })).toThrow(/needs the parameters newEmail/);
    expect(() => renderEmail('account-exists', 'en', {})).not.toThrow();
  });
});
