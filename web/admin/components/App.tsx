import { useEffect, useSyncExternalStore } from 'react';
import { t } from '../i18n';
import { restoreSession, sessionState, subscribeSession } from '../session';
import { Dashboard } from './Dashboard';
import { NotAdmin } from './NotAdmin';
import { SignInForm } from './SignInForm';

export function App() {
  const session = useSyncExternalStore(subscribeSession, sessionState);
  useEffect(restoreSession, []);

  if (session.status === 'restoring') return <p className="restoring">{t('app.restoring')}</p>;
  if (session.status === 'signedOut') return <SignInForm notice={session.notice} />;
  if (!session.user.roles?.includes('ADMIN')) return <NotAdmin user={session.user} />;
  return <Dashboard user={session.user} />;
}
