import DataLoader from 'dataloader';
import type { KeyboardsDb } from './db/client';

/**
 * Loads rows by id in one query per batch, in the order asked. A batch waits for the I/O callbacks already
 * due (setImmediate, not the default next tick): the lists of one request come back from the database in
 * the same turn of the event loop, and their rows' files or switches then go in one query, not one per list.
 */
function byIdLoader<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(
    async (ids) => {
      const rows = await load([...ids]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { batchScheduleFn: (dispatch) => setImmediate(dispatch) },
  );
}

/**
 * Per request: the rows that many items name by id (box types, switches, files), and the rows that
 * `node`, `nodes` and entity references ask for by id (one query per kind however many ids).
 */
export function loaders(db: KeyboardsDb) {
  return {
    boxType: byIdLoader((ids) => db.boxType.findMany({ where: { id: { in: ids } } })),
    switch: byIdLoader((ids) => db.switch.findMany({ where: { id: { in: ids } } })),
    file: byIdLoader((ids) => db.storedFile.findMany({ where: { id: { in: ids } } })),
    box: byIdLoader((ids) => db.box.findMany({ where: { id: { in: ids } } })),
    kit: byIdLoader((ids) => db.kit.findMany({ where: { id: { in: ids } } })),
    keycap: byIdLoader((ids) => db.keycap.findMany({ where: { id: { in: ids } } })),
    keyboard: byIdLoader((ids) => db.keyboard.findMany({ where: { id: { in: ids } } })),
  };
}

export type Loaders = ReturnType<typeof loaders>;
