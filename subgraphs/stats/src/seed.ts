import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ACTIVITY_TAGS } from '@keylab/messaging';
import type { StatsDb } from './db/client';

const ORIGINAL_ACTIVITIES = new URL('../../../data/keylab-original/stats/activities.csv', import.meta.url);

/** English titles of every tag; the original had Russian ones only, and no tags for kits or switch edits. */
const TITLES: Record<string, { en: string; ru?: string }> = {
  see_keyboard: { en: 'Keyboard viewed' },
  edit_keyboard: { en: 'Keyboard edited' },
  see_box: { en: 'Box viewed' },
  edit_box: { en: 'Box edited' },
  see_keycap: { en: 'Keycaps viewed' },
  edit_keycap: { en: 'Keycaps edited' },
  see_switch: { en: 'Switches viewed' },
  edit_switch: { en: 'Switches edited', ru: 'Редактирование свитчей' },
  see_kit: { en: 'Keycap kit viewed', ru: 'Просмотр набора кейкапов' },
  edit_kit: { en: 'Keycap kit edited', ru: 'Редактирование набора кейкапов' },
};

/** Every activity kind the services emit, with English and Russian titles (the original's Russian ones kept); safe to run again. */
export async function seedStats(db: StatsDb): Promise<void> {
  const rows: { title: string; tag: string }[] = parse(readFileSync(ORIGINAL_ACTIVITIES), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
  });
  const originalRussian = new Map(rows.map((row) => [row.tag, row.title]));
  for (const tag of ACTIVITY_TAGS) {
    const titleRu = originalRussian.get(tag) ?? TITLES[tag]?.ru;
    const titleEn = TITLES[tag]?.en;
    if (!titleRu || !titleEn) throw new Error(`activity ${tag} has no title`);
    const data = { titleRu, titleEn };
    await db.activityKind.upsert({ where: { tag }, create: { tag, ...data }, update: data });
  }
}
