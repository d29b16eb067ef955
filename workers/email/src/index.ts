export { emailSettings, type EmailConfig } from './config';
export { startEmailWorker, type EmailMessage } from './worker';
