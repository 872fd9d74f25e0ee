import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type {
  ChatMessage,
  ChatSummary,
  MessagesPage,
  SendMessageBody,
  TemplateFill,
  TemplateSummary,
} from '../../../contracts/panel-chat.ts';
import { messageOf } from '../api/http.ts';
import type { PanelApi } from '../api/panel-client.ts';
import { Composer } from './composer.tsx';
import { chatPath, latestMessagesPath, MESSAGES_PAGE } from './chat-paths.ts';
import { windowLabel } from './format.ts';
import { MessageBubble, targetOf } from './message-bubble.tsx';
import styles from './style.module.css';

/** Merges a page into what is shown: by id (a status change replaces the old copy), oldest first. */
function merge(shown: ChatMessage[], page: ChatMessage[]): ChatMessage[] {
  const byId = new Map(shown.map((message) => [message.id, message]));
  for (const message of page) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.id.localeCompare(b.id));
}

/** Reactions grouped by the message they are on; each sender's latest wins, an empty emoji removes it. */
function reactionsByTarget(messages: ChatMessage[]): Map<string, ChatMessage[]> {
  const latest = new Map<string, ChatMessage>();
  for (const message of messages)
    if (message.type === 'reaction') {
      const target = targetOf(message);
      if (target !== undefined) latest.set(`${target}|${message.direction}`, message);
    }
  const byTarget = new Map<string, ChatMessage[]>();
  for (const [key, reaction] of latest) {
    if (reaction.body === null || reaction.body === '') continue;
    const target = key.split('|')[0] ?? '';
    byTarget.set(target, [...(byTarget.get(target) ?? []), reaction]);
  }
  return byTarget;
}

/**
 * One chat: header with the window state, messages newest at the bottom (older ones load when
 * scrolled to the top), live refresh when `liveVersion` changes, read marks, and the composer.
 */
export function ChatView(props: {
  api: PanelApi;
  chat: ChatSummary;
  templates: TemplateSummary[];
  fill: TemplateFill;
  /** Bumped by the live stream whenever this chat changed. */
  liveVersion: number;
  /** The deal of a deal panel: offers "Pin to this deal". */
  dealId?: number | undefined;
  onResize?: () => void;
}) {
  const { api } = props;
  const [chat, setChat] = useState(props.chat);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);
  const [pinNote, setPinNote] = useState<string | undefined>(undefined);
  const list = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const keepOffsetFromBottom = useRef<number | undefined>(undefined);
  /** The first page sets where "older" starts; later refreshes only bring the newest. */
  const firstPageLoaded = useRef(false);
  const base = chatPath(props.chat.id);

  const markRead = useCallback(() => {
    void api.post(`${base}/read`).catch(() => undefined);
  }, [api, base]);

  const loadLatest = useCallback(async () => {
    try {
      const page = await api.get<MessagesPage>(latestMessagesPath(props.chat.id));
      setMessages((shown) => merge(shown, page.messages));
      setChat(page.chat);
      if (!firstPageLoaded.current) setOlderCursor(page.nextBefore);
      firstPageLoaded.current = true;
      setError(undefined);
      if (page.chat.unread > 0 && document.visibilityState !== 'hidden') markRead();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setLoading(false);
    }
  }, [api, props.chat.id, markRead]);
  useEffect(() => {
    stickToBottom.current = true;
    void loadLatest();
  }, [loadLatest, props.liveVersion]);

  const loadOlder = async () => {
    if (olderCursor === null || list.current === null) return;
    keepOffsetFromBottom.current = list.current.scrollHeight - list.current.scrollTop;
    try {
      const page = await api.get<MessagesPage>(
        `${base}/messages?limit=${MESSAGES_PAGE}&before=${encodeURIComponent(olderCursor)}`,
      );
      setMessages((shown) => merge(shown, page.messages));
      setOlderCursor(page.nextBefore);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  // Newest at the bottom: follow new messages unless the user scrolled up; keep the place when older ones load.
  useLayoutEffect(() => {
    const element = list.current;
    if (element === null) return;
    if (keepOffsetFromBottom.current !== undefined) {
      element.scrollTop = element.scrollHeight - keepOffsetFromBottom.current;
      keepOffsetFromBottom.current = undefined;
    } else if (stickToBottom.current) element.scrollTop = element.scrollHeight;
    props.onResize?.();
  }, [messages]);

  const onScroll = () => {
    const element = list.current;
    if (element === null) return;
    stickToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    if (element.scrollTop < 24) void loadOlder();
  };

  /** Media links live about a minute: a player or image that failed after that gets fresh links. */
  const lastRefresh = useRef(0);
  const refreshLinks = useCallback(() => {
    if (Date.now() - lastRefresh.current < 10_000) return;
    lastRefresh.current = Date.now();
    void loadLatest();
  }, [loadLatest]);

  const send = async (body: SendMessageBody) => {
    await api.post(`${base}/messages`, body);
    stickToBottom.current = true;
    await loadLatest();
  };

  const sendFile = async (file: File, caption: string | undefined) => {
    const query = new URLSearchParams({ filename: file.name || 'file' });
    if (caption !== undefined) query.set('caption', caption);
    await api.upload(`${base}/media?${query.toString()}`, file, file.type);
    stickToBottom.current = true;
    await loadLatest();
  };

  const pin = async () => {
    if (props.dealId === undefined) return;
    try {
      await api.post(`${base}/pin`, { dealId: props.dealId });
      setPinNote('Pinned: this chat now belongs to this deal.');
    } catch (failure) {
      setPinNote(messageOf(failure));
    }
  };

  const byProviderId = useMemo(() => {
    const map = new Map<string, ChatMessage>();
    for (const message of messages) {
      map.set(message.id, message);
      if (message.providerMessageId !== null) map.set(message.providerMessageId, message);
    }
    return map;
  }, [messages]);
  const reactions = useMemo(() => reactionsByTarget(messages), [messages]);
  const contactName = chat.contact.name ?? chat.contact.number ?? 'Contact';

  return (
    <section class={styles.chat} aria-label={`WhatsApp chat with ${contactName}`}>
      <header class={styles.header}>
        <div>
          <strong>{contactName}</strong> <span class={styles.muted}>{chat.contact.number}</span>
        </div>
        <div class={styles.muted}>
          via {chat.channel.name}
          {chat.channel.phoneNumber === null ? '' : ` (${chat.channel.phoneNumber})`}
        </div>
        <div class={chat.window.state === 'open' ? styles.windowOpen : styles.windowClosed} role="status">
          {windowLabel(chat.window)}
        </div>
        {props.dealId !== undefined && chat.links.dealId !== props.dealId ? (
          <button type="button" class={styles.linkButton} onClick={() => void pin()}>
            Pin to this deal
          </button>
        ) : null}
        {pinNote === undefined ? null : <div role="status">{pinNote}</div>}
      </header>
      {error === undefined ? null : (
        <p class={styles.error} role="alert">
          {error}
        </p>
      )}
      <ol class={styles.messages} ref={list} onScroll={onScroll} aria-live="polite" aria-busy={loading} tabIndex={0}>
        {olderCursor === null ? null : (
          <li class={styles.olderRow}>
            <button type="button" class={styles.linkButton} onClick={() => void loadOlder()}>
              Show older messages
            </button>
          </li>
        )}
        {loading && messages.length === 0 ? <li class={styles.muted}>Loading messages…</li> : null}
        {!loading && messages.length === 0 ? <li class={styles.muted}>No messages yet.</li> : null}
        {messages
          .filter((message) => message.type !== 'reaction')
          .map((message) => {
            const target = targetOf(message);
            return (
              <MessageBubble
                key={message.id}
                message={message}
                quoted={target === undefined ? undefined : byProviderId.get(target)}
                reactions={[
                  ...(reactions.get(message.id) ?? []),
                  ...(message.providerMessageId === null ? [] : (reactions.get(message.providerMessageId) ?? [])),
                ]}
                contactName={contactName}
                onMediaExpired={refreshLinks}
              />
            );
          })}
      </ol>
      <Composer
        window={chat.window}
        templates={props.templates.filter((template) => template.channelId === chat.channel.id)}
        fill={props.fill}
        onSend={send}
        onSendFile={sendFile}
      />
    </section>
  );
}
