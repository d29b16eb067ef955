import { inspectFile, putContentAddressed, type FileKind, type FileStorage } from '@keylab/files';
import { generateCatalogueAssets } from '@keylab/models';
import type { KeyboardsDb } from './db/client';
import { recordFile } from './domain/stored-files';

/** True when every default item has its files and the store holds each of them. */
async function complete(db: KeyboardsDb, storage: FileStorage): Promise<boolean> {
  const unassigned =
    (await db.switch.count({ where: { modelId: null } })) +
    (await db.box.count({ where: { ownerId: null, modelId: null } })) +
    (await db.keycap.count({ where: { kit: { ownerId: null }, modelId: null } })) +
    (await db.keyboard.count({ where: { ownerId: null, modelId: null } }));
  if (unassigned > 0) return false;
  const files = await db.storedFile.findMany({ where: { ownerId: null }, select: { storageKey: true } });
  const present = await Promise.all(files.map((file) => storage.exists(file.storageKey)));
  return present.every(Boolean);
}

/**
 * Gives every default item its generated files (the original's models were never published): a case
 * and a preview per box, a preview per kit, a model per keycap, model and preview per keyboard, model,
 * preview and click sound per switch. Deterministic; skipped when every default item already has its
 * files and the store holds them (a new file store, say a fresh clone's, gets them written again).
 */
export async function seedCatalogueFiles(db: KeyboardsDb, storage: FileStorage): Promise<void> {
  if (await complete(db, storage)) return;

  const assets = await generateCatalogueAssets();
  const store = async (data: Uint8Array, kind: FileKind): Promise<string> => {
    const file = await inspectFile(Buffer.from(data), kind);
    const { key } = await putContentAddressed(storage, Buffer.from(data), {
      sha256: file.sha256,
      extension: file.extension,
      contentType: file.contentType,
    });
    const existing = await db.storedFile.findFirst({ where: { sha256: file.sha256, ownerId: null, kind } });
    if (existing) return existing.id;
    return recordFile(db, { ...file, key, kind }, { ownerId: null, attachedAt: new Date() });
  };

  for (const [title, files] of Object.entries(assets.switches)) {
    await db.switch.updateMany({
      where: { title },
      data: {
        modelId: await store(files.glb, 'model'),
        previewId: await store(files.preview, 'preview'),
        soundId: await store(files.sound, 'sound'),
      },
    });
  }
  for (const [title, files] of Object.entries(assets.boxTypes)) {
    const boxType = await db.boxType.findUnique({ where: { title } });
    if (!boxType) continue;
    const defaults = { ownerId: null, boxTypeId: boxType.id };
    await db.box.updateMany({
      where: defaults,
      data: { modelId: await store(files.caseGlb, 'model'), previewId: await store(files.casePreview, 'preview') },
    });
    await db.keyboard.updateMany({
      where: defaults,
      data: { modelId: await store(files.keyboardGlb, 'model'), previewId: await store(files.keyboardPreview, 'preview') },
    });
    const kitPreview = await store(files.kitPreview, 'preview');
    for (const kit of await db.kit.findMany({ where: defaults })) {
      await db.kit.update({ where: { id: kit.id }, data: { previewId: kitPreview } });
      for (const [keyName, glb] of files.keycaps) {
        await db.keycap.updateMany({ where: { kitId: kit.id, title: keyName }, data: { modelId: await store(glb, 'model') } });
      }
    }
  }
}
