import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { InboxChat, InboxResponse, PanelLiveEvent } from '../../../contracts/panel-chat.ts';
import { messageOf } from '../../src/api/http.ts';
import { createPanelApi, type PanelApi } from '../../src/api/panel-client.ts';
import { ConnectionState } from '../../src/components/ConnectionState/index.tsx';
import { startupCard } from '../../src/components/StatusCard/startup-card.tsx';
import { usePanelStatus } from '../../src/hooks/use-panel-status.ts';
import { ChatView } from '../../src/live/chat-view.tsx';
import { formatRecent } from '../../src/format/date-time.ts';
import { previewOf } from '../../src/live/format.ts';
import live from '../../src/live/style.module.css';
import { useLiveEvents } from '../../src/live/use-live-events.ts';
import { type AppExtensionsSDK, Command, View } from '../../src/sdk/app-extensions-sdk.ts';
import { usePipedriveSdk } from '../../src/sdk/use-pipedrive-sdk.ts';
import styles from './style.module.css';

const SEARCH_DELAY_MS = 250;

/** Where a chat lives in Pipedrive: its deal, else its lead (where sidebars cannot go), else its person. */
function recordLinks(chat: InboxChat): { label: string; view: View; id: number | string }[] {
  const links: { label: string; view: View; id: number | string }[] = [];
  if (chat.links.dealId !== null) links.push({ label: 'Open deal', view: View.DEALS, id: chat.links.dealId });
  if (chat.links.leadId !== null) links.push({ label: 'Open lead', view: View.LEADS, id: chat.links.leadId });
  if (chat.links.personId !== null) links.push({ label: 'Open person', view: View.CONTACTS, id: chat.links.personId });
  return links;
}

function InboxBody(props: { api: PanelApi; sdk: AppExtensionsSDK }) {
  const { api, sdk } = props;
  const [inbox, setInbox] = useState<InboxResponse | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [query, setQuery] = useState('');
  const [openChatId, setOpenChatId] = useState<string | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const latestQuery = useRef(query);
  latestQuery.current = query;

  const load = useCallback(async () => {
    const asked = latestQuery.current;
    try {
      const next = await api.get<InboxResponse>(
        `/api/panel/inbox${asked.trim() === '' ? '' : `?q=${encodeURIComponent(asked.trim())}`}`,
      );
      if (asked !== latestQuery.current) return;
      setInbox(next);
      setError(undefined);
      // The badge on Pipedrive's apps dock counts every unread chat message, whatever the search shows.
      if (asked.trim() === '')
        void sdk.execute(Command.SET_NOTIFICATION, { number: next.unreadTotal }).catch(() => undefined);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [api, sdk]);

  useEffect(() => {
    const timer = setTimeout(() => void load(), query === '' ? 0 : SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [load, query]);

  const onEvent = (event: PanelLiveEvent) => {
    void load();
    if (event.payload.chatId !== undefined && event.payload.chatId === openChatId) setVersion((v) => v + 1);
  };
  // The stream starts once the first list is read, after the event seq that list was read at.
  useLiveEvents(inbox === undefined ? undefined : api, {
    onEvent,
    onResync: () => void load(),
    from: inbox?.liveFrom,
  });

  const open = inbox?.chats.find((chat) => chat.id === openChatId);
  if (open !== undefined && inbox !== undefined) {
    const name = open.contact.name ?? open.contact.number ?? 'Contact';
    return (
      <div class={styles.inbox}>
        <nav class={styles.chatNav}>
          <button type="button" class={live.linkButton} onClick={() => setOpenChatId(undefined)}>
            ← All chats
          </button>
          {recordLinks(open).map((link) => (
            <button
              key={link.label}
              type="button"
              class={live.linkButton}
              onClick={() => void sdk.execute(Command.REDIRECT_TO, { view: link.view, id: link.id })}
            >
              {link.label}
            </button>
          ))}
        </nav>
        <ChatView
          key={open.id}
          api={api}
          chat={open}
          templates={inbox.templates}
          fill={{
            personName: open.contact.name,
            firstName: open.contact.name?.split(/\s+/)[0] ?? null,
            dealTitle: null,
            dealValue: null,
            ownerName: null,
            viewerName: inbox.viewerName,
          }}
          liveVersion={version}
        />
        <span class={live.srOnly}>Chat with {name}</span>
      </div>
    );
  }

  return (
    <div class={styles.inbox}>
      <input
        class={styles.search}
        type="search"
        aria-label="Search chats by name, number or message"
        placeholder="Search name, number or message"
        value={query}
        onInput={(event) => setQuery(event.currentTarget.value)}
      />
      {error === undefined ? null : (
        <p class={live.error} role="alert">
          {error}
        </p>
      )}
      {inbox === undefined ? <p class={live.muted}>Loading chats…</p> : null}
      {inbox !== undefined && inbox.chats.length === 0 ? (
        <p class={live.muted}>
          {query.trim() === '' ? 'No WhatsApp chats yet.' : `No chat matches “${query.trim()}”.`}
        </p>
      ) : null}
      <ul class={styles.list} aria-label="WhatsApp chats">
        {inbox?.chats.map((chat) => (
          <li key={chat.id}>
            <button type="button" class={styles.row} onClick={() => setOpenChatId(chat.id)}>
              <span class={styles.rowTop}>
                <strong>{chat.contact.name ?? chat.contact.number}</strong>
                {chat.lastMessageAt === null ? null : (
                  <time class={live.muted}>{formatRecent(chat.lastMessageAt)}</time>
                )}
              </span>
              <span class={styles.rowBottom}>
                <span class={styles.preview}>
                  {chat.lastMessage === null
                    ? chat.contact.number
                    : `${chat.lastMessage.direction === 'outbound' ? 'You: ' : ''}${previewOf(chat.lastMessage)}`}
                </span>
                {chat.unread > 0 ? (
                  <span class={live.badge} aria-label={`${chat.unread} unread`}>
                    {chat.unread}
                  </span>
                ) : null}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The floating inbox: the viewer's WhatsApp chats, unread badge on the dock, search, open a chat or its record. */
export function Inbox() {
  const sdkState = usePipedriveSdk();
  const sdk = sdkState.status === 'ready' ? sdkState.sdk : undefined;
  const api = useMemo(() => (sdk === undefined ? undefined : createPanelApi(sdk)), [sdk]);
  const { status, error, reload } = usePanelStatus(api);

  const startup = startupCard({
    sdkState,
    statusError: error,
    loaded: sdk !== undefined && api !== undefined && status !== undefined,
    words: {
      preview: { title: 'Parley inbox (preview)', body: 'Open the inbox from Pipedrive’s apps dock.' },
      statusFailedTitle: 'Parley could not load your chats',
      loadingTitle: 'Loading chats…',
    },
  });
  if (startup !== undefined || sdk === undefined || api === undefined || status === undefined) return startup;
  if (status.state !== 'connected') return <ConnectionState status={status} api={api} onChanged={reload} />;
  return <InboxBody api={api} sdk={sdk} />;
}
