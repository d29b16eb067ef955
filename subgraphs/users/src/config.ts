import { setting, subgraphSettings, z } from '@keylab/config';

export const usersSettings = subgraphSettings('keylab_users', 4001).extend({
  /** Private signing key as a JWK (JSON). Unset: one is generated once and kept in KEYLAB_DATA_DIR. */
  JWT_SIGNING_KEY: z.string().optional(),
  /** The previous signing key's public JWK, still published during a rotation. */
  JWT_PREVIOUS_PUBLIC_KEY: z.string().optional(),
  KEYLAB_DATA_DIR: z.string().default('.data'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  SANDBOX: setting.bool(true),
});

export type UsersConfig = z.infer<typeof usersSettings>;
