import type { ReactNode } from 'react';
import type { SessionUser } from '../api/operations';
import { t } from '../i18n';
import { signOut } from '../session';

export function Header({ user, children }: { user: SessionUser; children?: ReactNode }) {
  return (
    <header className="top-bar">
      <h1>{t('app.title')}</h1>
      <div className="top-bar-end">
        {children}
        <span className="muted" data-testid="signed-in-as">
          {t('session.signedInAs', { nickname: user.nickname })}
        </span>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          {t('session.signOut')}
        </button>
      </div>
    </header>
  );
}
