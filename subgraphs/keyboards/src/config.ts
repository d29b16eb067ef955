import { setting, subgraphSettings, z } from '@keylab/config';

export const keyboardsSettings = subgraphSettings('keylab_keyboards', 4002).extend({
  SANDBOX: setting.bool(true),
  /** Prefix of the list cache in Redis (one installation's cache never meets another's). */
  CACHE_PREFIX: z.string().min(1).default('keyboards'),
});

export type KeyboardsConfig = z.infer<typeof keyboardsSettings>;
