import { type AppExtensionsSDK, Color, Command } from '../../src/sdk/app-extensions-sdk.ts';
import { useState } from 'preact/hooks';
import { messageOf } from '../../src/api/http.ts';
import type { PanelApi, PanelStatus } from '../../src/api/panel-client.ts';
import { Button } from '../../src/components/Button/index.tsx';
import { Notice } from '../../src/components/Notice/index.tsx';
import { Section } from '../../src/components/Section/index.tsx';
import { awaitingApprovalText, endedOrganizationText } from '../../src/connection/connection-words.ts';
import { connectInPopup } from '../../src/hooks/connect-popup.ts';
import styles from './style.module.css';

const DISCONNECT_ORGANIZATION =
  'This ends Parley for everyone in your company: contact, deal and lead creation, message sync, live chat and sending stop for every member, and each user must connect again. WhatsApp messages that keep arriving are still stored.';
const DISCONNECT_ME =
  'Live chat and sending from Pipedrive stop for you only. Contact creation and message sync keep running for the company, and nobody else is affected.';

/** Who is connected, and the actions the viewer may take: connect for themself, the two disconnects. */
export function ConnectionSection(props: {
  sdk: AppExtensionsSDK;
  api: PanelApi;
  status: PanelStatus;
  onChanged: () => Promise<void>;
}) {
  const { sdk, api, status } = props;
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error' | 'info'; text: string } | undefined>(undefined);

  async function run(name: string, action: () => Promise<string | undefined>) {
    setBusy(name);
    setNotice(undefined);
    try {
      const done = await action();
      await props.onChanged();
      if (done !== undefined) {
        setNotice({ tone: 'success', text: done });
        // Pipedrive's snackbar is a courtesy: the state on the page is already current.
        sdk.execute(Command.SHOW_SNACKBAR, { message: done }).catch(() => undefined);
      }
    } catch (failure) {
      setNotice({
        tone: 'error',
        text: failure instanceof Error && !('code' in failure) ? failure.message : messageOf(failure),
      });
    } finally {
      setBusy(undefined);
    }
  }

  const confirm = async (title: string, description: string, okText: string) =>
    (
      await sdk.execute(Command.SHOW_CONFIRMATION, {
        title,
        description,
        okText,
        cancelText: 'Cancel',
        okColor: Color.NEGATIVE,
      })
    ).confirmed;

  const connectMe = () =>
    run('connect', async () => {
      const outcome = await connectInPopup(api);
      if (outcome === 'personal_connected') return 'You are connected to Parley.';
      // Waiting for approval is shown from the status itself (it outlives this page).
      return undefined;
    });
  const disconnectMe = () =>
    run('me', async () => {
      if (!(await confirm('Disconnect only for you?', DISCONNECT_ME, 'Disconnect me'))) return undefined;
      await api.post('/api/panel/disconnect-personal');
      return 'You are disconnected from Parley.';
    });
  const disconnectOrganization = () =>
    run('organization', async () => {
      if (!(await confirm('Disconnect the organization?', DISCONNECT_ORGANIZATION, 'Disconnect everyone')))
        return undefined;
      await api.post('/api/panel/disconnect-organization');
      return 'Parley is disconnected for your company.';
    });

  const org = status.organization;
  const ended = endedOrganizationText(status);
  const awaiting = awaitingApprovalText(status);
  return (
    <Section title="Connection">
      {notice === undefined ? null : <Notice tone={notice.tone}>{notice.text}</Notice>}
      {status.state === 'reauth_required' ? (
        <Notice tone="error">
          Pipedrive no longer accepts Parley’s connection. Reconnect to resume sync and chat.
        </Notice>
      ) : null}
      <p class={styles.row}>
        <strong>Organization: </strong>
        {org.connected ? `connected by ${org.connectedBy?.name ?? 'a Pipedrive admin'}` : 'not connected'}
        {org.connected && status.viewer.isOrgConnector ? ' (you)' : ''}
      </p>
      {ended === undefined ? null : <Notice tone="info">{ended}</Notice>}
      {!org.connected ? (
        <p class={`${styles.row} ${styles.muted}`}>
          A Pipedrive admin connects Parley for the whole company.{' '}
          <a href={status.links.install} target="_blank" rel="noopener">
            Connect the organization
          </a>{' '}
          (admins), or ask your Pipedrive admin.
        </p>
      ) : null}
      <p class={styles.row}>
        <strong>You: </strong>
        {status.personal.connected
          ? status.personal.state === 'reauth_required'
            ? 'connection needs renewing'
            : 'connected'
          : awaiting === undefined
            ? 'not connected — live chat and sending are off for you'
            : 'waiting for an admin to approve you'}
      </p>
      {awaiting === undefined ? null : <Notice tone="info">{awaiting}</Notice>}
      <div>
        {org.connected &&
        awaiting === undefined &&
        (!status.personal.connected || status.state === 'reauth_required') ? (
          <Button kind="primary" busy={busy === 'connect'} onClick={() => void connectMe()}>
            Connect only for me
          </Button>
        ) : null}
        {status.personal.connected ? (
          <Button busy={busy === 'me'} onClick={() => void disconnectMe()}>
            Disconnect only for me
          </Button>
        ) : null}
        {org.connected && status.viewer.isPipedriveAdmin === true ? (
          <Button kind="danger" busy={busy === 'organization'} onClick={() => void disconnectOrganization()}>
            Disconnect organization
          </Button>
        ) : null}
      </div>
    </Section>
  );
}
