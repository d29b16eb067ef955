import { setting, subgraphSettings, type z } from '@keylab/config';

export const keyboardsSettings = subgraphSettings('keylab_keyboards', 4002).extend({
  SANDBOX: setting.bool(true),
});

export type KeyboardsConfig = z.infer<typeof keyboardsSettings>;
