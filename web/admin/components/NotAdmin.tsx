import type { SessionUser } from '../api/operations';
import { t } from '../i18n';
import { Header } from './Header';

/** A signed-in account without the admin role: told so plainly, with the way out. */
export function NotAdmin({ user }: { user: SessionUser }) {
  return (
    <>
      <Header user={user} />
      <main className="refusal" role="alert" data-testid="not-admin">
        <h2>{t('notAdmin.heading')}</h2>
        <p>{t('notAdmin.body', { nickname: user.nickname })}</p>
      </main>
    </>
  );
}
