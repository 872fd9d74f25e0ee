import { useEffect, useState } from 'preact/hooks';
import type { ChannelList, ChannelReply } from '../../../../contracts/whatsapp.schemas.ts';
import { dashboardApi, type SessionInfo } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Field } from '../../../src/components/Field/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import { Section } from '../../../src/components/Section/index.tsx';
import styles from '../style.module.css';
import { ChannelCard } from './whatsapp-channel-card.tsx';

const EMPTY_FORM = { phoneNumberId: '', wabaId: '', accessToken: '', appSecret: '', displayName: '' };

/** `/whatsapp`: the workspace's WhatsApp numbers, their webhook state, and adding one. */
export function WhatsAppView(_props: { session: SessionInfo }) {
  const [list, setList] = useState<ChannelList | undefined>(undefined);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  const [form, setForm] = useState(EMPTY_FORM);
  const [busy, setBusy] = useState<'sandbox' | 'manual' | undefined>(undefined);
  const reload = async () => {
    try {
      setList(await dashboardApi.get<ChannelList>('/api/whatsapp/channels'));
    } catch (failure) {
      setNotice({ tone: 'error', text: messageOf(failure) });
    }
  };
  useEffect(() => {
    void reload();
    // Meta's verification happens in another tab: look again every few seconds while one is pending.
    const timer = setInterval(() => void reload(), 5000);
    return () => clearInterval(timer);
  }, []);

  async function add(kind: 'sandbox' | 'manual') {
    setBusy(kind);
    setNotice(undefined);
    try {
      const { channel } = await (kind === 'sandbox'
        ? dashboardApi.post<ChannelReply>('/api/whatsapp/channels/sandbox')
        : dashboardApi.post<ChannelReply>('/api/whatsapp/channels', {
            ...form,
            ...(form.displayName.trim() === '' ? { displayName: undefined } : {}),
          }));
      setForm(EMPTY_FORM);
      setNotice({
        tone: 'success',
        text:
          channel.webhookVerifiedAt === null
            ? `${channel.displayName} is added. Finish in Meta’s webhook settings (below).`
            : `${channel.displayName} is connected: webhook verified, ${channel.templateCount} templates synced.`,
      });
      await reload();
    } catch (failure) {
      setNotice({ tone: 'error', text: messageOf(failure) });
    } finally {
      setBusy(undefined);
    }
  }

  if (list === undefined) return notice === undefined ? <p>Loading…</p> : <Notice tone="error">{notice.text}</Notice>;
  const field = (name: keyof typeof EMPTY_FORM, label: string, hint: string, secret = false) => (
    <Field label={label} hint={hint}>
      <input
        name={name}
        type={secret ? 'password' : 'text'}
        required={name !== 'displayName'}
        autocomplete="off"
        value={form[name]}
        onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
      />
    </Field>
  );
  return (
    <>
      <h1 class={styles.title}>WhatsApp</h1>
      <p class={styles.lead}>The WhatsApp Business numbers whose conversations Parley brings into Pipedrive.</p>
      {notice === undefined ? null : <Notice tone={notice.tone}>{notice.text}</Notice>}
      {list.channels.length === 0 ? <p>No number is connected yet.</p> : null}
      {list.channels.map((channel) => (
        <ChannelCard
          key={channel.id}
          channel={channel}
          canManage={list.canManage}
          onChanged={(text) => (setNotice({ tone: 'success', text }), void reload())}
          onError={(text) => setNotice({ tone: 'error', text })}
        />
      ))}
      {list.canManage && list.sandbox && list.channels.length === 0 ? (
        <Section title="Sandbox number">
          <p>
            Parley runs with its sandbox. Connect the sandbox’s business number in one click: Parley checks it,
            subscribes the app, sets and verifies the webhook, and syncs the templates.
          </p>
          <Button kind="primary" busy={busy === 'sandbox'} onClick={() => void add('sandbox')}>
            Use the sandbox number
          </Button>
        </Section>
      ) : null}
      {list.canManage ? (
        <Section title="Add a number">
          <p>
            From Meta’s App Dashboard (WhatsApp → API Setup) and your app’s settings (App secret). Parley checks the
            credentials with WhatsApp before saving them, encrypted.
          </p>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void add('manual');
            }}
          >
            {field('phoneNumberId', 'Phone number ID', 'Digits, e.g. 106540352242922')}
            {field('wabaId', 'WhatsApp Business Account ID', 'Digits; templates and webhooks live there')}
            {field('accessToken', 'Access token', 'A system-user token with whatsapp_business_messaging', true)}
            {field('appSecret', 'App secret', 'App settings → Basic; signs every webhook', true)}
            {field('displayName', 'Name (optional)', 'Defaults to the number’s verified name')}
            <Button kind="primary" type="submit" busy={busy === 'manual'}>
              Check and add
            </Button>
          </form>
        </Section>
      ) : null}
    </>
  );
}
