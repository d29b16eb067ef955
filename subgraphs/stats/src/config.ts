import { setting, subgraphSettings, type z } from '@keylab/config';

export const statsSettings = subgraphSettings('keylab_stats', 4003).extend({
  SANDBOX: setting.bool(true),
});

export type StatsConfig = z.infer<typeof statsSettings>;
