export { emailSettings, type EmailConfig } from './config';
export { startEmailWorker } from './worker';
export { ATTEMPTS_HEADER, DEAD_REASON_HEADER, ERROR_HEADER } from './forward';
export {
  handleEmailDelivery,
  retryOrPark,
  type DeadReason,
  type EmailDelivery,
  type EmailHandlerDeps,
  type LogContext,
  type Outcome,
} from './handler';
export { messageIdFor, smtpTransportUrl } from './mailer';
export { renderEmail, escapeHtml, TEMPLATE_PARAMS, TemplateParamsError, type RenderedEmail } from './templates';
export { parseEmailRequest, emailRequestSchema } from './request';
export { classifySendError, type Failure } from './failures';
export { sentKey, SENT_TTL_SECONDS, type Claim, type Deduplicator } from './dedup';
