export { createKeyboardsDb } from './db/client';
export { seedKeyboards } from './seed';
export { seedCatalogueFiles } from './seed-assets';
export { fileStorage } from './file-storage';
export { keyboardsSettings } from './config';
