import { render } from '@testing-library/preact';
import { ChatPanel } from '../../../extensions/panels/chat-panel/chat-panel.tsx';
import { chatSummary, message, page, readyContext, statusOf } from './chat-fixtures.ts';
import { fakeServer } from './fake-server.ts';

export const CHAT = chatSummary().id;
export const MESSAGES = `/api/panel/chats/${CHAT}/messages`;

/** Opens the chat panel as Pipedrive frames it (the SDK's id, the record, the theme in the URL). */
export function openPanel(search = 'id=panel-1&resource=deal&selectedIds=20&theme=light') {
  window.history.replaceState({}, '', `/extensions/panels/chat-panel/?${search}`);
  return render(<ChatPanel />);
}

/** A connected viewer on a deal whose person has one chat. */
export function connectedServer(overrides: Parameters<typeof fakeServer>[0] = {}) {
  return fakeServer({
    'GET /api/panel/status': { body: statusOf('connected') },
    'GET /api/panel/context': { body: readyContext() },
    [`GET ${MESSAGES}`]: { body: page([message({ body: 'Hola, ¿tienen stock?' })]) },
    [`POST /api/panel/chats/${CHAT}/read`]: { body: { marked: 1 } },
    'POST /api/panel/events-ticket': { body: { ticket: 'ticket-1', expiresAt: new Date().toISOString() } },
    ...overrides,
  });
}
