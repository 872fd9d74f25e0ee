import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { PanelContextResponse, PanelLiveEvent } from '../../../contracts/panel-chat.ts';
import { ApiError, messageOf } from '../../src/api/http.ts';
import type { EarlyRequests } from '../../src/api/early-requests.ts';
import { createPanelApi, type PanelApi } from '../../src/api/panel-client.ts';
import { ConnectionState } from '../../src/components/ConnectionState/index.tsx';
import { StatusCard } from '../../src/components/StatusCard/index.tsx';
import { startupCard } from '../../src/components/StatusCard/startup-card.tsx';
import { usePanelStatus } from '../../src/hooks/use-panel-status.ts';
import { ChatView } from '../../src/live/chat-view.tsx';
import styles from '../../src/live/style.module.css';
import { useLiveEvents } from '../../src/live/use-live-events.ts';
import { useResizeToContent } from '../../src/sdk/use-resize-to-content.ts';
import { usePipedriveSdk } from '../../src/sdk/use-pipedrive-sdk.ts';
import { contextPath, recordFromUrl, type PanelRecord } from './chat-requests.ts';

/** The chats of one record: a tab per phone or channel, live, with the states that come before chatting. */
function RecordChats(props: { api: PanelApi; record: PanelRecord; onResize: () => void }) {
  const { api, record } = props;
  const [context, setContext] = useState<PanelContextResponse | undefined>(undefined);
  const [error, setError] = useState<{ message: string; notVisible: boolean } | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [versions, setVersions] = useState<Record<string, number>>({});

  const load = useCallback(async () => {
    try {
      const next = await api.get<PanelContextResponse>(contextPath(record));
      setContext(next);
      setError(undefined);
    } catch (failure) {
      setError({
        message: messageOf(failure),
        notVisible: failure instanceof ApiError && failure.code === 'chats.record_not_visible',
      });
    }
  }, [api, record]);

  useEffect(() => void load(), [load]);
  useEffect(() => props.onResize());

  const chatIds = context?.state === 'ready' ? context.chats.map((chat) => chat.id) : [];
  const onEvent = (event: PanelLiveEvent) => {
    const chatId = event.payload.chatId;
    if (chatId !== undefined && chatIds.includes(chatId))
      setVersions((current) => ({ ...current, [chatId]: (current[chatId] ?? 0) + 1 }));
    // A chat this panel does not show yet may just have been linked to this person: re-read the context.
    else if (event.type.startsWith('chat.') || event.type === 'message.created') void load();
  };
  const onResync = () => {
    void load();
    setVersions((current) => Object.fromEntries(chatIds.map((id) => [id, (current[id] ?? 0) + 1])));
  };
  useLiveEvents(context?.state === 'ready' ? api : undefined, {
    onEvent,
    onResync,
    from: context?.state === 'ready' ? context.liveFrom : undefined,
  });

  if (error !== undefined)
    return (
      <StatusCard title={error.notVisible ? 'Not visible to you' : 'Parley could not load this chat'} tone="danger">
        {error.message}
      </StatusCard>
    );
  if (context === undefined) return <StatusCard title="Loading WhatsApp chat…" />;
  if (context.state === 'no_channel')
    return (
      <StatusCard title="No WhatsApp number connected">
        {context.message}{' '}
        <a href={context.links.dashboard} target="_blank" rel="noopener">
          Open the Parley dashboard
        </a>
      </StatusCard>
    );
  if (context.state !== 'ready')
    return (
      <StatusCard title="Parley needs a connection" tone="danger">
        {context.message}
      </StatusCard>
    );
  if (context.person === null)
    return <StatusCard title="No contact person">Link a person to this deal to chat with them on WhatsApp.</StatusCard>;
  if (context.chats.length === 0)
    return (
      <StatusCard title="No WhatsApp chat yet">
        {context.person.name} has not written to{' '}
        {context.channels.map((channel) => channel.phoneNumber ?? channel.name).join(' or ')} yet. Their chat appears
        here as soon as they do.
      </StatusCard>
    );

  const current = context.chats.find((chat) => chat.id === selected) ?? context.chats[0];
  if (current === undefined) return null;
  return (
    <div class={styles.panel}>
      {context.chats.length > 1 ? (
        <div class={styles.tabs} role="tablist" aria-label="WhatsApp chats">
          {context.chats.map((chat) => (
            <button
              key={chat.id}
              type="button"
              role="tab"
              class={styles.tab}
              aria-selected={chat.id === current.id}
              onClick={() => setSelected(chat.id)}
            >
              {chat.contact.number ?? chat.contact.name}
              {context.channels.length > 1 ? ` · ${chat.channel.name}` : ''}
              {chat.unread > 0 ? <span class={styles.badge}>{chat.unread}</span> : null}
            </button>
          ))}
        </div>
      ) : null}
      <ChatView
        key={current.id}
        api={api}
        chat={current}
        templates={context.templates}
        fill={context.fill}
        liveVersion={versions[current.id] ?? 0}
        dealId={context.deal?.id}
        onResize={props.onResize}
      />
    </div>
  );
}

/**
 * The deal and person sidebar panel: connection state first, then the person's WhatsApp chats, live.
 * `early`: the requests main.tsx sent before rendering, which answer the panel's first GETs.
 */
export function ChatPanel(props: { early?: EarlyRequests | undefined }) {
  const sdkState = usePipedriveSdk({ height: 200 });
  const sdk = sdkState.status === 'ready' ? sdkState.sdk : undefined;
  const api = useMemo(() => (sdk === undefined ? undefined : createPanelApi(sdk, props.early)), [sdk, props.early]);
  const { status, error, reload } = usePanelStatus(api);
  const root = useRef<HTMLDivElement>(null);
  const resize = useResizeToContent(sdk, root);
  const record = useMemo(() => recordFromUrl(), []);

  const startup = startupCard({
    sdkState,
    statusError: error,
    loaded: api !== undefined && status !== undefined,
    words: {
      preview: { title: 'Parley chat panel (preview)', body: 'Open this panel from a deal or person in Pipedrive.' },
      statusFailedTitle: 'Parley could not load this panel',
      loadingTitle: 'Loading WhatsApp chat…',
    },
  });
  let content;
  if (startup !== undefined || api === undefined || status === undefined) content = startup;
  else if (status.state !== 'connected') content = <ConnectionState status={status} api={api} onChanged={reload} />;
  else if (record === undefined)
    content = (
      <StatusCard title="Open a deal or person">
        This panel shows the WhatsApp chat of a deal’s or person’s contact.
      </StatusCard>
    );
  else content = <RecordChats api={api} record={record} onResize={resize} />;

  return <div ref={root}>{content}</div>;
}
