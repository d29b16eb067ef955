import { useMemo } from 'react';
import type { ApiError } from '../api/client';
import { formatClock, t, type MessageKey } from '../i18n';

const FIELD_LABELS: Record<string, MessageKey> = {
  from: 'controls.from',
  to: 'controls.to',
  interval: 'controls.bucket',
  timeZone: 'controls.timeZone',
  activities: 'controls.activities',
  top: 'controls.field.top',
  email: 'signIn.email',
  password: 'signIn.password',
};

/** The label of the control an input field belongs to, or the field's own name. */
export const fieldLabel = (field: string) => (FIELD_LABELS[field] ? t(FIELD_LABELS[field]) : field);

/** An API error as the server worded it, with the field it refused and when to retry. */
export function ErrorMessage({ error }: { error: ApiError }) {
  const retryAt = useMemo(
    () => (error.retryAfterSeconds === undefined ? null : new Date(Date.now() + error.retryAfterSeconds * 1000)),
    [error],
  );
  return (
    <p className="error" role="alert" data-code={error.code} data-field={error.field}>
      {error.field ? t('error.field', { field: fieldLabel(error.field), message: error.message }) : error.message}
      {retryAt && ` ${t('error.retryAt', { time: formatClock(retryAt) })}`}
      {error.requestId && !error.message.includes(error.requestId) && ` ${t('error.requestId', { requestId: error.requestId })}`}
    </p>
  );
}

/** Errors of several requests, each shown once. */
export function distinctErrors(errors: ApiError[]): ApiError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.code}|${error.field ?? ''}|${error.service ?? ''}|${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
