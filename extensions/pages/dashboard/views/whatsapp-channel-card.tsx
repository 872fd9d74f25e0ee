import { useState } from 'preact/hooks';
import type { ChannelInfo } from '../../../../contracts/whatsapp.schemas.ts';
import { dashboardApi } from '../../../src/api/dashboard-client.ts';
import { formatDateTime } from '../../../src/format/date-time.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { ConfirmDialog } from '../../../src/components/ConfirmDialog/index.tsx';
import { Field } from '../../../src/components/Field/index.tsx';
import { Section } from '../../../src/components/Section/index.tsx';
import styles from '../style.module.css';


const STOPS_REMOVAL =
  'Parley forgets this number’s access token and app secret. Webhooks Meta sends for it are refused from now on (Meta retries, then gives up), so new messages and delivery ticks stop arriving; sending from Pipedrive and template sync stop too. Chats and messages already in Parley, and what was synced to Pipedrive, stay. You can add the number again later.';

const when = (value: Date | string | null) => (value === null ? null : formatDateTime(value));

function CopyLine(props: { label: string; value: string }) {
  return (
    <div class={styles.copy}>
      <input readOnly value={props.value} aria-label={props.label} onFocus={(e) => e.currentTarget.select()} />
      <Button onClick={() => void navigator.clipboard?.writeText(props.value)}>Copy</Button>
    </div>
  );
}

/** Meta's side, step by step, with the state Parley observed for each step. */
function WebhookSetup(props: { channel: ChannelInfo }) {
  const { channel } = props;
  return (
    <ol class={styles.steps}>
      <li>
        In Meta’s App Dashboard, open <strong>WhatsApp → Configuration → Webhook</strong> and click Edit.
      </li>
      <li>
        Paste the <strong>Callback URL</strong>:
        <CopyLine label="Callback URL" value={channel.webhookUrl} />
      </li>
      {channel.verifyToken === null ? null : (
        <li>
          Paste the <strong>Verify token</strong>:
          <CopyLine label="Verify token" value={channel.verifyToken} />
        </li>
      )}
      <li>
        Click <strong>Verify and save</strong>, then subscribe to the <strong>messages</strong> and{' '}
        <strong>message_template_status_update</strong> fields.{' '}
        {channel.webhookVerifiedAt === null
          ? 'Parley has not seen Meta’s verification yet — this page shows it as soon as it happens.'
          : `Meta verified this URL on ${when(channel.webhookVerifiedAt)}.`}
      </li>
    </ol>
  );
}

export function ChannelCard(props: {
  channel: ChannelInfo;
  canManage: boolean;
  onChanged: (text: string) => void;
  onError: (text: string) => void;
}) {
  const { channel, canManage } = props;
  const [mode, setMode] = useState<'view' | 'rename' | 'token' | 'remove'>('view');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await action();
      setMode('view');
      setValue('');
      props.onChanged(done);
    } catch (failure) {
      props.onError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  const verified = channel.webhookVerifiedAt !== null;
  return (
    <Section
      title={`${channel.displayName}${channel.phoneNumber === null ? '' : ` · ${channel.phoneNumber}`}`}
      aside={
        <span data-testid="webhook-state">{verified ? 'Webhook verified' : 'Waiting for Meta’s verification'}</span>
      }
    >
      <table class={styles.table}>
        <tbody>
          <tr>
            <th scope="row">Webhook</th>
            <td>{verified ? `verified ${when(channel.webhookVerifiedAt)}` : 'not verified yet'}</td>
          </tr>
          <tr>
            <th scope="row">App subscribed to the WABA</th>
            <td>{channel.appSubscribedAt === null ? 'no' : `yes, ${when(channel.appSubscribedAt)}`}</td>
          </tr>
          <tr>
            <th scope="row">Last webhook received</th>
            <td>{when(channel.lastWebhookAt) ?? 'none yet'}</td>
          </tr>
          <tr>
            <th scope="row">Templates</th>
            <td>
              {channel.templatesSyncError === null
                ? `${channel.templateCount} synced ${when(channel.templatesSyncedAt) ?? ''}`
                : `sync failed: ${channel.templatesSyncError}`}
            </td>
          </tr>
          <tr>
            <th scope="row">Phone-number id / WABA id</th>
            <td>
              {channel.phoneNumberId} / {channel.wabaId}
            </td>
          </tr>
        </tbody>
      </table>
      {verified ? null : <WebhookSetup channel={channel} />}
      {canManage && mode === 'view' ? (
        <>
          <Button onClick={() => (setMode('rename'), setValue(channel.displayName))}>Rename</Button>
          <Button onClick={() => setMode('token')}>Replace access token</Button>
          <Button
            busy={busy}
            onClick={() =>
              void run(
                () => dashboardApi.post(`/api/whatsapp/channels/${channel.id}/templates/sync`),
                'Templates synced.',
              )
            }
          >
            Sync templates
          </Button>
          <Button kind="danger" onClick={() => setMode('remove')}>
            Remove
          </Button>
        </>
      ) : null}
      {mode === 'rename' || mode === 'token' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void run(
              () =>
                mode === 'rename'
                  ? dashboardApi.patch(`/api/whatsapp/channels/${channel.id}`, { displayName: value })
                  : dashboardApi.post(`/api/whatsapp/channels/${channel.id}/token`, { accessToken: value }),
              mode === 'rename' ? 'Renamed.' : 'The new access token works and is saved.',
            );
          }}
        >
          <Field
            label={mode === 'rename' ? 'Name' : 'New access token'}
            {...(mode === 'token' ? { hint: 'Parley checks it against WhatsApp before saving it.' } : {})}
          >
            <input
              type={mode === 'token' ? 'password' : 'text'}
              required
              value={value}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
          </Field>
          <Button kind="primary" type="submit" busy={busy}>
            Save
          </Button>
          <Button onClick={() => setMode('view')}>Cancel</Button>
        </form>
      ) : null}
      <ConfirmDialog
        open={mode === 'remove'}
        title={`Remove ${channel.displayName}?`}
        description={STOPS_REMOVAL}
        confirmLabel="Remove number"
        busy={busy}
        onConfirm={() =>
          void run(
            () => dashboardApi.delete(`/api/whatsapp/channels/${channel.id}`),
            `${channel.displayName} was removed.`,
          )
        }
        onCancel={() => setMode('view')}
      />
    </Section>
  );
}
