export { emailSettings, type EmailConfig } from './config';
export { startEmailWorker, EMAIL_QUEUE, type EmailMessage } from './worker';
