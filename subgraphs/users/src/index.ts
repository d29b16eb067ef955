export { usersSettings, type UsersConfig } from './config';
export { startUsersService, JWKS_PATH, type UsersService } from './service';
export { seedUsers } from './seed';
