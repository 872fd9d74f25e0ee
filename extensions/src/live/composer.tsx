import { useState } from 'preact/hooks';
import type {
  ConversationWindow,
  SendMessageBody,
  TemplateFill,
  TemplateSummary,
} from '../../../contracts/panel-chat.ts';
import { messageOf } from '../api/http.ts';
import styles from './style.module.css';
import { TemplatePicker } from './template-picker.tsx';

/**
 * Free text while WhatsApp's 24-hour window is open (Enter sends, Shift+Enter starts a new line);
 * templates at any time, and the only way to write once the window has closed.
 */
export function Composer(props: {
  window: ConversationWindow;
  templates: TemplateSummary[];
  fill: TemplateFill;
  onSend: (body: SendMessageBody) => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [picking, setPicking] = useState(false);
  const open = props.window.state === 'open';

  const send = async (body: SendMessageBody) => {
    setSending(true);
    setError(undefined);
    try {
      await props.onSend(body);
      if ('text' in body) setText('');
      setPicking(false);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setSending(false);
    }
  };

  const sendText = () => {
    const trimmed = text.trim();
    if (trimmed === '' || sending) return;
    void send({ text: trimmed });
  };

  return (
    <div class={styles.composer}>
      {error === undefined ? null : (
        <p class={styles.error} role="alert">
          {error}
        </p>
      )}
      {picking ? (
        <TemplatePicker
          templates={props.templates}
          fill={props.fill}
          sending={sending}
          onCancel={() => setPicking(false)}
          onSend={(body) => void send(body)}
        />
      ) : (
        <>
          {open ? (
            <textarea
              class={styles.input}
              aria-label="Message"
              placeholder="Write a WhatsApp message… (Enter sends, Shift+Enter for a new line)"
              rows={2}
              value={text}
              disabled={sending}
              onInput={(event) => setText(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                  event.preventDefault();
                  sendText();
                }
              }}
            />
          ) : (
            <p class={styles.muted}>
              More than 24 hours since they last wrote: WhatsApp only allows an approved template now.
            </p>
          )}
          <div class={styles.actions}>
            <button
              type="button"
              class={styles.secondary}
              onClick={() => setPicking(true)}
              disabled={props.templates.length === 0}
              title={props.templates.length === 0 ? 'No approved templates on this number yet' : undefined}
            >
              {open ? 'Template…' : 'Send a template…'}
            </button>
            {open ? (
              <button type="button" class={styles.primary} onClick={sendText} disabled={sending || text.trim() === ''}>
                {sending ? 'Sending…' : 'Send'}
              </button>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}
