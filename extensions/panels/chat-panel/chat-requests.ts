import type { PanelContextResponse } from '../../../contracts/panel-chat.ts';
import { startEarlyRequests, type EarlyRequests } from '../../src/api/early-requests.ts';
import { PANEL_STATUS_PATH } from '../../src/hooks/use-panel-status.ts';
import { latestMessagesPath, MESSAGES_PAGE } from '../../src/live/chat-paths.ts';

export interface PanelRecord {
  resource: 'deal' | 'person';
  id: number;
}

/** The deal or person this panel sits on (Pipedrive's `resource` and `selectedIds` query parameters). */
export function recordFromUrl(search: string = window.location.search): PanelRecord | undefined {
  const query = new URLSearchParams(search);
  const resource = query.get('resource');
  const id = Number(query.get('selectedIds')?.split(',')[0]);
  if ((resource !== 'deal' && resource !== 'person') || !Number.isSafeInteger(id) || id <= 0) return undefined;
  return { resource, id };
}

export const contextPath = (record: PanelRecord) => `/api/panel/context?resource=${record.resource}&id=${record.id}`;

/**
 * What the chat panel asks first, sent before it renders (with the iframe URL's token): the
 * viewer's status and the record's context at once, the context with its first chat's newest
 * messages. Inside Pipedrive only (the SDK's `id` and the `token` in the URL).
 */
export function startChatRequests(search: string): EarlyRequests | undefined {
  const query = new URLSearchParams(search);
  const token = query.get('token');
  if (query.get('id') === null || token === null || token === '') return undefined;
  const early = startEarlyRequests(token);
  void early.get(PANEL_STATUS_PATH);
  const record = recordFromUrl(search);
  if (record === undefined) return early;
  const path = contextPath(record);
  // One request: the context, with the first chat's newest page, which is the chat the panel opens first.
  early.get<PanelContextResponse>(`${path}&firstMessages=${MESSAGES_PAGE}`, path).then(
    (context) => {
      // The panel asks for a ready context at once; any other state it asks for later (after connecting, say).
      if (context.state !== 'ready') return early.drop(path);
      const first = context.chats[0];
      if (first !== undefined && context.firstPage !== undefined)
        early.answered(latestMessagesPath(first.id), context.firstPage);
    },
    () => undefined,
  );
  return early;
}
