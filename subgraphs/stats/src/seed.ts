import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { StatsDb } from './db/client';

const ORIGINAL_ACTIVITIES = new URL('../../../data/keylab-original/stats/activities.csv', import.meta.url);

/** English titles of the original's activity tags (the original had Russian ones only). */
const ENGLISH_TITLES: Record<string, string> = {
  see_keyboard: 'Keyboard viewed',
  edit_keyboard: 'Keyboard edited',
  see_box: 'Box viewed',
  edit_box: 'Box edited',
  see_keycap: 'Keycaps viewed',
  edit_keycap: 'Keycaps edited',
  see_switch: 'Switches viewed',
};

/** The activity kinds of the original KeyLab, with English and Russian titles; safe to run again. */
export async function seedStats(db: StatsDb): Promise<void> {
  const rows: { title: string; tag: string }[] = parse(readFileSync(ORIGINAL_ACTIVITIES), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
  });
  for (const { tag, title } of rows) {
    const data = { titleRu: title, titleEn: ENGLISH_TITLES[tag] ?? tag };
    await db.activityKind.upsert({ where: { tag }, create: { tag, ...data }, update: data });
  }
}
