import { useRef, useState } from 'preact/hooks';
import type {
  ConversationWindow,
  SendMessageBody,
  TemplateFill,
  TemplateSummary,
} from '../../../contracts/panel-chat.ts';
import { mediaProblem, mediaRuleFor, OUTGOING_MEDIA_RULES } from '../../../contracts/whatsapp-media.ts';
import { messageOf } from '../api/http.ts';
import styles from './style.module.css';
import { TemplatePicker } from './template-picker.tsx';

/** What the file picker offers: the types WhatsApp takes (the server checks again). */
const ACCEPT = OUTGOING_MEDIA_RULES.flatMap((rule) => rule.mimeTypes).join(',');
const sizeLabel = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

/**
 * Free text while WhatsApp's 24-hour window is open (Enter sends, Shift+Enter starts a new line),
 * with a file attached if wanted (the text becomes its caption); templates at any time, and the
 * only way to write once the window has closed.
 */
export function Composer(props: {
  window: ConversationWindow;
  templates: TemplateSummary[];
  fill: TemplateFill;
  onSend: (body: SendMessageBody) => Promise<void>;
  onSendFile: (file: File, caption: string | undefined) => Promise<void>;
}) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | undefined>(undefined);
  const picker = useRef<HTMLInputElement>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [picking, setPicking] = useState(false);
  const open = props.window.state === 'open';
  const captionless = file !== undefined && ['audio', 'sticker'].includes(mediaRuleFor(file.type)?.kind ?? '');

  const send = async (body: SendMessageBody | { file: File; caption: string | undefined }) => {
    setSending(true);
    setError(undefined);
    try {
      if ('file' in body) await props.onSendFile(body.file, body.caption);
      else await props.onSend(body);
      if (!('template' in body)) setText('');
      if ('file' in body) setFile(undefined);
      setPicking(false);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setSending(false);
    }
  };

  const sendText = () => {
    const trimmed = text.trim();
    if (sending) return;
    if (file !== undefined) void send({ file, caption: trimmed === '' || captionless ? undefined : trimmed });
    else if (trimmed !== '') void send({ text: trimmed });
  };

  const choose = (chosen: File | undefined) => {
    if (picker.current !== null) picker.current.value = '';
    if (chosen === undefined) return;
    const problem = mediaProblem({ mimeType: chosen.type, sizeBytes: chosen.size });
    setError(problem);
    setFile(problem === undefined ? chosen : undefined);
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
              aria-label={file === undefined ? 'Message' : 'Caption'}
              placeholder={
                file === undefined
                  ? 'Write a WhatsApp message… (Enter sends, Shift+Enter for a new line)'
                  : captionless
                    ? 'WhatsApp sends audio and stickers without a caption. Enter sends the file.'
                    : 'Add a caption (optional)… (Enter sends)'
              }
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
          {file === undefined ? null : (
            <p class={styles.attachment}>
              <span>
                📎 {file.name} <span class={styles.muted}>({sizeLabel(file.size)})</span>
              </span>
              <button
                type="button"
                class={styles.linkButton}
                onClick={() => setFile(undefined)}
                disabled={sending}
                aria-label={`Remove ${file.name}`}
              >
                Remove
              </button>
            </p>
          )}
          <div class={styles.actions}>
            {open ? (
              <>
                <input
                  ref={picker}
                  type="file"
                  accept={ACCEPT}
                  hidden
                  aria-label="File to send"
                  onChange={(event) => choose(event.currentTarget.files?.[0])}
                />
                <button
                  type="button"
                  class={styles.secondary}
                  onClick={() => picker.current?.click()}
                  disabled={sending}
                >
                  Attach a file…
                </button>
              </>
            ) : null}
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
              <button
                type="button"
                class={styles.primary}
                onClick={sendText}
                disabled={sending || (file === undefined && text.trim() === '')}
              >
                {sending ? 'Sending…' : 'Send'}
              </button>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}
