export { createKeyboardsDb } from './db/client';
export { seedKeyboards } from './seed';
