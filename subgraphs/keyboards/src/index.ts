export { keyboardsSettings, type KeyboardsConfig } from './config';
export { startKeyboardsService, type KeyboardsService } from './service';
export { seedKeyboards } from './seed';
