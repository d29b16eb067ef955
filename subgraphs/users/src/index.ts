export { usersSettings, type UsersConfig } from './config';
export { startUsersService, JWKS_PATH, type UsersService } from './service';
export { seedUsers } from './seed';
export { openSession } from './domain/sessions';
export { hashPassword, legacyHash } from './domain/passwords';
export { importLegacyUsers, ORIGINAL_ADMIN_ID, type LegacyUserRow, type ImportReport } from './domain/legacy-import';
