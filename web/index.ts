export { buildPages, PAGES, PAGES_DIR } from './build';
