// The catalogue's rows as Prisma reads them, under the names the domain and the resolver types use.
export type {
  Box as BoxRow,
  BoxType as BoxTypeRow,
  Keyboard as KeyboardRow,
  Keycap as KeycapRow,
  Kit as KitRow,
  Switch as SwitchRow,
} from '../db/generated/client';
