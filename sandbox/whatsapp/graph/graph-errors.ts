import { createFbtraceId } from '../ids.ts';

/** Graph API error body (whatsapp-cloud-api.md §1.7). WhatsApp-specific errors carry `error_data`. */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

/** Thrown by Graph route code; the Graph plugin's error handler renders it. */
export class GraphError extends Error {
  readonly statusCode: number;
  readonly body: GraphErrorBody;

  constructor(statusCode: number, body: Omit<GraphErrorBody['error'], 'fbtrace_id'>) {
    super(body.message);
    this.statusCode = statusCode;
    this.body = { error: { ...body, fbtrace_id: createFbtraceId() } };
  }
}

/** A WhatsApp error as Meta words it: "(#code) Title", details in error_data. */
function whatsAppError(code: number, title: string, details: string, statusCode = 400): GraphError {
  return new GraphError(statusCode, {
    message: `(#${code}) ${title}`,
    type: 'OAuthException',
    code,
    error_data: { messaging_product: 'whatsapp', details },
  });
}

export const graphErrors = {
  missingToken: () =>
    new GraphError(401, {
      message: 'An access token is required to request this resource.',
      type: 'OAuthException',
      code: 104,
    }),
  invalidToken: () =>
    new GraphError(401, {
      message: 'Invalid OAuth access token - Cannot parse access token',
      type: 'OAuthException',
      code: 190,
    }),
  expiredToken: (expiredAt: Date, now: Date) =>
    new GraphError(401, {
      message: `Error validating access token: Session has expired on ${expiredAt.toUTCString()}. The current time is ${now.toUTCString()}.`,
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
    }),
  /** What Graph answers for an id that does not exist or that the token may not touch. */
  unknownObject: (id: string, method: string) =>
    new GraphError(400, {
      message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
    }),
  requiredParameter: (name: string) =>
    new GraphError(400, { message: `(#100) The parameter ${name} is required.`, type: 'OAuthException', code: 100 }),
  invalidParameter: (details: string) => whatsAppError(100, 'Invalid parameter', details),
  /** Transient Graph failure (the graphErrorRate knob): code 2, "Service temporarily unavailable", HTTP 503. */
  unexpected: () =>
    new GraphError(503, {
      message: 'An unexpected error has occurred. Please retry your request later.',
      type: 'OAuthException',
      code: 2,
      is_transient: true,
    }),
  unknown: () => new GraphError(500, { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 }),
  templateNotFound: (name: string, language: string) =>
    whatsAppError(
      132001,
      'Template name does not exist in the translation',
      `template name (${name}) does not exist in ${language}`,
    ),
  parameterCount: (component: string, received: number, expected: number) =>
    whatsAppError(
      132000,
      'Number of parameters does not match the expected number of params',
      `${component}: number of localizable_params (${received}) does not match the expected number of params (${expected})`,
    ),
  parameterFormat: (details: string) =>
    whatsAppError(132012, 'Parameter format does not match format in the created template', details),
  templatePaused: (name: string) =>
    whatsAppError(132015, 'Template is Paused', `Template ${name} is paused due to low quality so it cannot be sent.`),
  templateDisabled: (name: string) =>
    whatsAppError(132016, 'Template is disabled', `Template ${name} was permanently disabled due to low quality.`),
  requiredMessageParameter: (details: string) => whatsAppError(131008, 'Required parameter is missing', details),
  invalidMessageParameter: (details: string) => whatsAppError(131009, 'Parameter value is not valid', details),
  /** Throughput of the number reached (§1.8). HTTP 429 as the check of Meta's docs says; unconfirmed. */
  throughputReached: () =>
    whatsAppError(130429, 'Rate limit hit', 'Cloud API message throughput has been reached.', 429),
  /** Too many messages to one customer in a short time (§1.7). HTTP 400 like other send errors (unconfirmed). */
  pairRateLimit: () =>
    whatsAppError(
      131056,
      '(Business Account, Consumer Account) pair rate limit hit',
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    ),
  /** Sending to the business's own number. */
  sameNumber: () =>
    whatsAppError(131021, 'Recipient cannot be sender', 'Sender and recipient phone number is the same.'),
  /** A path Graph does not know (an unknown edge or an unsupported version). */
  unknownPath: (path: string) =>
    new GraphError(400, { message: `Unknown path components: ${path}`, type: 'OAuthException', code: 2500 }),
  /** `fields` naming a field the node does not have. */
  nonexistingField: (field: string, nodeType: string) =>
    new GraphError(400, {
      message: `(#100) Tried accessing nonexisting field (${field}) on node type (${nodeType})`,
      type: 'OAuthException',
      code: 100,
    }),
  textTooLong: () =>
    whatsAppError(100, 'Invalid parameter', "Param text['body'] must be at most 4096 characters long."),
};
