import type uPlot from 'uplot';
import type { SeriesInput } from './api/operations';

export type ChartName = 'activityEvents' | 'activityVisitors' | 'attendance' | 'bounceAndDuration';

/**
 * What the page plots and asked for, for tests and for a curious administrator in the console
 * (`window.keylabDashboard`): the uPlot instances on screen (their `.data` and `.series[i].label`), the
 * exact series input the page sent last, whether every panel has answered and been drawn for it (and how
 * many times that happened, to wait for the next time), and the last CSV link it followed.
 */
export interface DashboardDebugHandle {
  charts: Partial<Record<ChartName, uPlot>>;
  lastInput: SeriesInput | null;
  settled: boolean;
  settledLoads: number;
  exportUrl: string | null;
}

declare global {
  interface Window {
    keylabDashboard: DashboardDebugHandle;
  }
}

export const debugHandle: DashboardDebugHandle = {
  charts: {},
  lastInput: null,
  settled: false,
  settledLoads: 0,
  exportUrl: null,
};
window.keylabDashboard = debugHandle;
