import { useState } from 'react';
import type { ApiError } from '../api/client';
import { STATS_EXPORT, type ExportSeries, type SeriesInput } from '../api/operations';
import { t } from '../i18n';
import { debugHandle } from '../debug';
import { authorizedRequest } from '../session';
import { ErrorMessage } from './ErrorMessage';

/** The period as CSV: the API signs a link on the gateway's origin (valid 15 minutes), the browser downloads it. */
export function ExportButtons({ input }: { input: SeriesInput }) {
  const [busy, setBusy] = useState<ExportSeries | null>(null);
  const [errors, setErrors] = useState<ApiError[]>([]);

  async function download(series: ExportSeries) {
    setBusy(series);
    const { from, to, interval, timeZone, activities } = input;
    const { data, errors } = await authorizedRequest<{ statsExport: { url: string } | null }>(STATS_EXPORT, {
      input: { series, from, to, interval, timeZone, ...(series === 'ACTIVITY' ? { activities } : {}) },
    });
    setBusy(null);
    setErrors(errors);
    const url = data?.statsExport?.url;
    if (!url) return;
    debugHandle.exportUrl = url;
    const link = document.createElement('a');
    link.href = url;
    link.download = '';
    link.click();
  }

  return (
    <div className="export">
      <span className="control-label">{t('controls.export')}</span>
      <div className="button-row">
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void download('ACTIVITY')}>
          {t('controls.export.activity')}
        </button>
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void download('ATTENDANCE')}>
          {t('controls.export.attendance')}
        </button>
      </div>
      {errors.map((error, index) => (
        <ErrorMessage key={index} error={error} />
      ))}
    </div>
  );
}
