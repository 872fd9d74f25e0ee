import { graphErrors } from './graph-errors.ts';

/**
 * Validation of the send types beyond text, media and templates: location, contacts and
 * interactive (reply buttons, list), with Meta's documented limits (Cloud API "Send messages"
 * reference as summarised by SDKs: pywa, whatsapp-api-js). A missing field is 100 "The parameter …
 * is required"; a value outside the limits is 131009 "Parameter value is not valid". The returned
 * object is what the customer's phone shows and what replies refer to.
 */
type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(body: Body, key: string, path: string, max: number, required: boolean): string | undefined {
  const value = body[key];
  if (value === undefined || value === '') {
    if (required) throw graphErrors.requiredParameter(`${path}['${key}']`);
    return undefined;
  }
  if (typeof value !== 'string') throw graphErrors.invalidMessageParameter(`${path}['${key}'] must be a string`);
  if ([...value].length > max) {
    throw graphErrors.invalidMessageParameter(`${path}['${key}'] must be at most ${max} characters long`);
  }
  return value;
}

export function parseLocation(input: unknown): Body {
  if (!isObject(input)) throw graphErrors.requiredParameter('location');
  const coordinate = (key: 'latitude' | 'longitude', limit: number) => {
    const raw = input[key];
    if (raw === undefined) throw graphErrors.requiredParameter(`location['${key}']`);
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
      throw graphErrors.invalidMessageParameter(`location['${key}'] must be a number between -${limit} and ${limit}`);
    }
    return value;
  };
  const name = text(input, 'name', 'location', 1000, false);
  const address = text(input, 'address', 'location', 1000, false);
  return {
    latitude: coordinate('latitude', 90),
    longitude: coordinate('longitude', 180),
    ...(name ? { name } : {}),
    ...(address ? { address } : {}),
  };
}

/** Contacts (vCards): each needs `name.formatted_name`; phones, emails and the rest pass as given. */
export function parseContacts(input: unknown): Body[] {
  if (!Array.isArray(input) || input.length === 0) throw graphErrors.requiredParameter('contacts');
  return input.map((contact, index) => {
    const path = `contacts[${index}]`;
    if (!isObject(contact)) throw graphErrors.invalidMessageParameter(`${path} must be an object`);
    if (!isObject(contact['name'])) throw graphErrors.requiredParameter(`${path}['name']`);
    text(contact['name'], 'formatted_name', `${path}['name']`, 1000, true);
    for (const list of ['phones', 'emails', 'urls', 'addresses']) {
      if (contact[list] !== undefined && !Array.isArray(contact[list])) {
        throw graphErrors.invalidMessageParameter(`${path}['${list}'] must be an array`);
      }
    }
    return structuredClone(contact);
  });
}

/** Interactive messages the sandbox emulates: `button` (1–3 reply buttons) and `list` (≤10 rows). */
export function parseInteractive(input: unknown): Body {
  if (!isObject(input)) throw graphErrors.requiredParameter('interactive');
  const type = input['type'];
  if (type === undefined) throw graphErrors.requiredParameter("interactive['type']");
  if (type !== 'button' && type !== 'list') {
    throw graphErrors.invalidParameter(
      `interactive['type'] (${JSON.stringify(type)}): the sandbox emulates button and list messages only`,
    );
  }
  if (!isObject(input['body'])) throw graphErrors.requiredParameter("interactive['body']");
  const body = text(input['body'], 'text', "interactive['body']", 1024, true);
  const header = input['header'];
  if (header !== undefined) {
    if (!isObject(header) || header['type'] !== 'text') {
      throw graphErrors.invalidMessageParameter("interactive['header'] must be a text header in the sandbox");
    }
    text(header, 'text', "interactive['header']", 60, true);
  }
  const footer = input['footer'];
  if (footer !== undefined) {
    if (!isObject(footer)) throw graphErrors.invalidMessageParameter("interactive['footer'] must be an object");
    text(footer, 'text', "interactive['footer']", 60, true);
  }
  const action = input['action'];
  if (!isObject(action)) throw graphErrors.requiredParameter("interactive['action']");
  if (type === 'button') parseButtons(action);
  else parseList(action);
  return {
    type,
    body: { text: body },
    ...(header ? { header } : {}),
    ...(footer ? { footer } : {}),
    action: structuredClone(action),
  };
}

function unique(values: string[], what: string): void {
  if (new Set(values).size !== values.length) throw graphErrors.invalidMessageParameter(`${what} must be unique`);
}

function parseButtons(action: Body): void {
  const buttons = action['buttons'];
  if (!Array.isArray(buttons) || buttons.length === 0)
    throw graphErrors.requiredParameter("interactive['action']['buttons']");
  if (buttons.length > 3)
    throw graphErrors.invalidMessageParameter("interactive['action']['buttons'] has at most 3 buttons");
  const replies = buttons.map((button, index) => {
    const path = `interactive['action']['buttons'][${index}]`;
    if (!isObject(button) || button['type'] !== 'reply' || !isObject(button['reply'])) {
      throw graphErrors.invalidMessageParameter(`${path} must be {"type":"reply","reply":{"id","title"}}`);
    }
    return {
      id: text(button['reply'], 'id', `${path}['reply']`, 256, true) ?? '',
      title: text(button['reply'], 'title', `${path}['reply']`, 20, true) ?? '',
    };
  });
  unique(
    replies.map((reply) => reply.id),
    'Button ids',
  );
  unique(
    replies.map((reply) => reply.title),
    'Button titles',
  );
}

function parseList(action: Body): void {
  text(action, 'button', "interactive['action']", 20, true);
  const sections = action['sections'];
  if (!Array.isArray(sections) || sections.length === 0)
    throw graphErrors.requiredParameter("interactive['action']['sections']");
  if (sections.length > 10)
    throw graphErrors.invalidMessageParameter("interactive['action']['sections'] has at most 10 sections");
  const ids: string[] = [];
  sections.forEach((section, index) => {
    const path = `interactive['action']['sections'][${index}]`;
    if (!isObject(section)) throw graphErrors.invalidMessageParameter(`${path} must be an object`);
    text(section, 'title', path, 24, sections.length > 1);
    const rows = section['rows'];
    if (!Array.isArray(rows) || rows.length === 0) throw graphErrors.requiredParameter(`${path}['rows']`);
    rows.forEach((row, rowIndex) => {
      const rowPath = `${path}['rows'][${rowIndex}]`;
      if (!isObject(row)) throw graphErrors.invalidMessageParameter(`${rowPath} must be an object`);
      ids.push(text(row, 'id', rowPath, 200, true) ?? '');
      text(row, 'title', rowPath, 24, true);
      text(row, 'description', rowPath, 72, false);
    });
  });
  if (ids.length > 10) throw graphErrors.invalidMessageParameter('A list message has at most 10 rows in total');
  unique(ids, 'Row ids');
}
