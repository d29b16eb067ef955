import { useState, type FormEvent } from 'react';
import type { ApiError } from '../api/client';
import { t } from '../i18n';
import { signIn } from '../session';
import { ErrorMessage } from './ErrorMessage';

export function SignInForm({ notice }: { notice: ApiError | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ApiError[]>([]);
  const shown = errors.length ? errors : notice ? [notice] : [];
  const invalid = (field: string) => shown.some((error) => error.field === field);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const refused = await signIn(email, password);
    // On success this form is gone; on refusal it shows why.
    setErrors(refused);
    setBusy(false);
  }

  return (
    <main className="sign-in">
      <form onSubmit={submit} noValidate aria-labelledby="sign-in-heading">
        <h1 id="sign-in-heading">{t('signIn.heading')}</h1>
        <p className="muted">{t('signIn.intro')}</p>
        <label>
          {t('signIn.email')}
          <input
            name="email"
            type="email"
            autoComplete="username"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            aria-invalid={invalid('email')}
            required
          />
        </label>
        <label>
          {t('signIn.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={invalid('password')}
            required
          />
        </label>
        {shown.map((error, index) => (
          <ErrorMessage key={index} error={error} />
        ))}
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.submitting') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
