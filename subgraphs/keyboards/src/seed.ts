import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { KeyboardsDb } from './db/client';

/** The original KeyLab's seed rows, kept in the repository (data/keylab-original). */
export const ORIGINAL_DATA = new URL('../../../data/keylab-original/', import.meta.url);

/** The original's default items belonged to this user id; here default items belong to nobody. */
export const ORIGINAL_DEFAULTS_OWNER = 'dced1acd-b907-47e0-9659-77cb2c95e0aa';

const ownerOf = (ownerId: string | undefined) => (!ownerId || ownerId === ORIGINAL_DEFAULTS_OWNER ? null : ownerId);

/** A UUID derived from a name (RFC 4122 version 5 layout), so seeding twice gives the same ids. */
export function stableUuid(name: string): string {
  const hex = createHash('sha1').update(`keylab:${name}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const fromUnix = (seconds: string) => new Date(Number(seconds) * 1000);

/**
 * Loads a catalogue in the original KeyLab's CSV shape (box types, switches, boxes, kits with their
 * keycaps, keyboards): the seed rows by default, or an exported deployment. Safe to run again.
 */
export async function seedKeyboards(db: KeyboardsDb, folder: URL = ORIGINAL_DATA): Promise<void> {
  const readCsv = (relativePath: string): Record<string, string>[] =>
    parse(readFileSync(new URL(relativePath, folder)), { columns: true, skip_empty_lines: true, trim: true });
  const kits = readCsv('keyboards/kits.csv');
  const keycaps = readCsv('keyboards/keycaps.csv');
  const keysPerType = new Map<string, number>();
  for (const kit of kits) {
    keysPerType.set(kit.box_type_id!, keycaps.filter((keycap) => keycap.kit_id === kit.id).length);
  }
  for (const row of readCsv('keyboards/box_types.csv')) {
    const data = { title: row.title!, keyCount: keysPerType.get(row.id!) ?? 0 };
    await db.boxType.upsert({ where: { id: row.id! }, create: { id: row.id!, ...data }, update: data });
  }
  for (const row of readCsv('keyboards/switches.csv')) {
    const data = { title: row.title!, fileName: row.file_name! };
    // Written only when missing or different, so that seeding again leaves its updatedAt alone.
    const found = await db.switch.findUnique({ where: { id: row.id! }, select: { title: true, fileName: true } });
    if (!found) await db.switch.create({ data: { id: row.id!, ...data } });
    else if (found.title !== data.title || found.fileName !== data.fileName)
      await db.switch.update({ where: { id: row.id! }, data });
  }
  for (const row of readCsv('keyboards/boxes.csv')) {
    const id = stableUuid(`box:${row.file_name}`);
    const data = {
      ownerId: ownerOf(row.owner_id),
      boxTypeId: row.type_id!,
      title: row.title!,
      createdAt: fromUnix(row.creation_date!),
    };
    await db.box.upsert({ where: { id }, create: { id, ...data }, update: data });
  }
  for (const kit of kits) {
    const data = {
      ownerId: ownerOf(kit.owner_id),
      boxTypeId: kit.box_type_id!,
      title: kit.title!,
      createdAt: fromUnix(kit.creation_date!),
    };
    await db.kit.upsert({ where: { id: kit.id! }, create: { id: kit.id!, ...data }, update: data });
  }
  await db.keycap.createMany({
    data: keycaps.map((row) => ({
      id: stableUuid(`keycap:${row.kit_id}:${row.title}`),
      kitId: row.kit_id!,
      title: row.title!,
      fileName: row.file_name!,
      createdAt: fromUnix(row.creation_date!),
    })),
    skipDuplicates: true,
  });
  for (const row of readCsv('keyboards/keyboards.csv')) {
    const id = stableUuid(`keyboard:${row.file_name}`);
    const data = {
      ownerId: ownerOf(row.owner_id),
      title: row.title!,
      boxTypeId: row.box_type_id!,
      switchId: row.switch_type_id!,
      createdAt: fromUnix(row.creation_date!),
    };
    await db.keyboard.upsert({ where: { id }, create: { id, ...data }, update: data });
  }
}
