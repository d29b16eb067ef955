export { emailSettings, type EmailConfig } from './config';
export {
  startEmailWorker,
  messageIdFor,
  smtpTransportUrl,
  ATTEMPTS_HEADER,
  DEAD_REASON_HEADER,
  ERROR_HEADER,
  type DeadReason,
} from './worker';
export { renderEmail, escapeHtml, TEMPLATE_PARAMS, TemplateParamsError, type RenderedEmail } from './templates';
export { parseEmailRequest, emailRequestSchema } from './request';
export { classifySendError, type Failure } from './failures';
export { sentKey, SENT_TTL_SECONDS } from './dedup';
