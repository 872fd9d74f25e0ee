import type { ChatMessage } from '../../../contracts/panel-chat.ts';
import { formatRecent } from '../format/date-time.ts';
import { previewOf, statusLabel } from './format.ts';
import styles from './style.module.css';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : Number(value) || undefined);

/** The media link Parley stores with a message (fetched from WhatsApp and kept in Parley's storage). */
const mediaUrl = (message: ChatMessage) => text(message.media?.['url']) ?? text(message.media?.['link']);

/** The message a reply or a reaction points at (WhatsApp names it by wamid; Parley by id). */
export function targetOf(message: ChatMessage): string | undefined {
  const context = message.context ?? {};
  return text(context['messageId']) ?? text(context['message_id']) ?? text(context['id']) ?? text(context['replyTo']);
}

function Content({ message, onMediaExpired }: { message: ChatMessage; onMediaExpired?: (() => void) | undefined }) {
  const url = mediaUrl(message);
  const caption = text(message.media?.['caption']) ?? text(message.body);
  switch (message.type) {
    case 'image':
    case 'sticker':
      return (
        <figure class={styles.figure}>
          {url === undefined ? (
            <span>{message.type === 'sticker' ? 'Sticker' : '📷 Photo'} (not available)</span>
          ) : (
            <a href={url} target="_blank" rel="noopener">
              <img
                class={message.type === 'sticker' ? styles.sticker : styles.image}
                src={url}
                alt={caption ?? (message.type === 'sticker' ? 'Sticker' : 'Photo')}
                loading="lazy"
                onError={onMediaExpired}
              />
            </a>
          )}
          {message.type === 'image' && caption !== undefined ? <figcaption>{caption}</figcaption> : null}
        </figure>
      );
    case 'audio':
      return url === undefined ? (
        <span>🎤 Voice message (not available)</span>
      ) : (
        <audio
          class={styles.audio}
          controls
          preload="none"
          src={url}
          aria-label="Voice message"
          onError={onMediaExpired}
        />
      );
    case 'video':
      return url === undefined ? (
        <span>🎬 Video (not available)</span>
      ) : (
        <figure class={styles.figure}>
          <video
            class={styles.image}
            controls
            preload="none"
            src={url}
            aria-label={caption ?? 'Video'}
            onError={onMediaExpired}
          />
          {caption === undefined ? null : <figcaption>{caption}</figcaption>}
        </figure>
      );
    case 'document': {
      const name = text(message.media?.['filename']) ?? 'Document';
      return url === undefined ? (
        <span>📄 {name} (not available)</span>
      ) : (
        <a href={url} download={name} target="_blank" rel="noopener">
          📄 Download {name}
        </a>
      );
    }
    case 'location': {
      const where = message.media ?? message.context ?? {};
      const lat = num(where['latitude']);
      const lon = num(where['longitude']);
      const label = text(where['name']) ?? text(where['address']) ?? text(message.body) ?? 'Location';
      return lat === undefined || lon === undefined ? (
        <span>📍 {label}</span>
      ) : (
        <a
          href={`https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`}
          target="_blank"
          rel="noopener"
        >
          📍 {label} (open map)
        </a>
      );
    }
    case 'contacts': {
      const cards = (message.media?.['contacts'] ?? message.context?.['contacts'] ?? []) as {
        name?: { formatted_name?: string };
        phones?: { phone?: string }[];
      }[];
      return (
        <ul class={styles.cards} aria-label="Shared contacts">
          {cards.length === 0 ? <li>👤 {message.body ?? 'Contact card'}</li> : null}
          {cards.map((card, index) => (
            <li key={index}>
              👤 {card.name?.formatted_name ?? 'Contact'} {card.phones?.map((phone) => phone.phone).join(', ')}
            </li>
          ))}
        </ul>
      );
    }
    case 'interactive':
    case 'button':
      return (
        <span>
          <span class={styles.tag}>Button reply</span> {message.body ?? ''}
        </span>
      );
    case 'unsupported':
      return <span class={styles.muted}>WhatsApp did not pass this message on (a type its API does not support).</span>;
    default:
      return <span class={styles.text}>{message.body ?? previewOf(message)}</span>;
  }
}

/**
 * One message: its content by type, the quoted original of a reply, reactions on it, and for
 * outbound messages the ticks (or the failure reason in words).
 */
export function MessageBubble(props: {
  message: ChatMessage;
  quoted: ChatMessage | undefined;
  reactions: ChatMessage[];
  contactName: string;
  /** A media link stopped working (they live about a minute): the chat re-reads its messages. */
  onMediaExpired?: () => void;
}) {
  const { message, quoted, reactions } = props;
  const outbound = message.direction === 'outbound';
  const status = outbound ? statusLabel(message) : undefined;
  const isReply = message.type !== 'reaction' && targetOf(message) !== undefined;
  return (
    <li class={`${styles.message} ${outbound ? styles.outbound : styles.inbound}`}>
      <span class={styles.srOnly}>{outbound ? 'You' : props.contactName}: </span>
      {isReply ? (
        <blockquote class={styles.quote} aria-label="In reply to">
          {quoted === undefined ? 'An earlier message' : previewOf(quoted)}
        </blockquote>
      ) : null}
      <Content message={message} onMediaExpired={props.onMediaExpired} />
      <span class={styles.meta}>
        <time dateTime={message.sentAt}>{formatRecent(message.sentAt)}</time>
        {status === undefined || status.ticks === '' ? null : (
          <span
            class={`${styles.ticks} ${message.status === 'read' ? styles.read : ''} ${message.status === 'failed' ? styles.failedTick : ''}`}
            title={status.words}
            aria-label={status.words}
          >
            {status.ticks}
          </span>
        )}
      </span>
      {message.status === 'failed' && status !== undefined ? (
        <span class={styles.failure} role="note">
          {status.words}
        </span>
      ) : null}
      {reactions.length === 0 ? null : (
        <span class={styles.reactions} aria-label={`Reactions: ${reactions.map((r) => r.body).join(' ')}`}>
          {reactions.map((reaction) => reaction.body).join(' ')}
        </span>
      )}
    </li>
  );
}
