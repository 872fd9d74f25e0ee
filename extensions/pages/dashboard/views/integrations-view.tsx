import { useEffect, useState } from 'preact/hooks';
import type { IntegrationInfo } from '../../../../contracts/dashboard.schemas.ts';
import { dashboardApi, type SessionInfo } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { ConfirmDialog } from '../../../src/components/ConfirmDialog/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import { Section } from '../../../src/components/Section/index.tsx';
import { formatDate } from '../../../src/format/date-time.ts';
import styles from '../style.module.css';
import { BudgetMeter } from './budget-meter.tsx';
import { PendingJoinRequests } from './team-view.tsx';

export type { IntegrationInfo };

const STOPS_ORGANIZATION =
  'This ends the organization connection and every member’s personal connection, and revokes them at Pipedrive. Contact, deal and lead creation, message sync, live chat and sending stop for everyone; each user must connect again. WhatsApp messages that keep arriving are still stored.';
const STOPS_ME =
  'Live chat and sending from Pipedrive stop for you only. Contact creation and message sync keep running for the company, and nobody else is affected.';

export function useIntegration() {
  const [info, setInfo] = useState<IntegrationInfo | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const reload = async () => {
    try {
      setInfo(await dashboardApi.get<IntegrationInfo>('/api/integrations/pipedrive'));
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  useEffect(() => {
    void reload();
  }, []);
  return { info, error, reload };
}

/** `/integrations/pipedrive`: the organization and personal connections, with connect and disconnect. */
export function IntegrationsView(props: { session: SessionInfo }) {
  const { info, error, reload } = useIntegration();
  const [confirming, setConfirming] = useState<'organization' | 'me' | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(() => {
    const connected = new URLSearchParams(window.location.search).get('connected');
    if (connected === 'organization')
      return { tone: 'success', text: 'Your Pipedrive organization is connected. You are connected personally too.' };
    if (connected === 'personal')
      return { tone: 'success', text: 'You are connected: live chat and sending work for you in Pipedrive.' };
    return undefined;
  });

  if (error !== undefined) return <Notice tone="error">{error}</Notice>;
  if (info === undefined) return <p>Loading…</p>;
  const isAdmin = info.role !== 'member';
  const connected = info.company?.status === 'connected' && info.organization !== null;

  async function disconnect(which: 'organization' | 'me') {
    setBusy(true);
    try {
      await dashboardApi.post(
        which === 'organization'
          ? '/api/integrations/pipedrive/disconnect-organization'
          : '/api/integrations/pipedrive/disconnect-personal',
      );
      setNotice({
        tone: 'success',
        text:
          which === 'organization'
            ? 'The organization is disconnected. Everyone’s connection has ended.'
            : 'Your personal connection has ended.',
      });
      await reload();
    } catch (failure) {
      setNotice({ tone: 'error', text: messageOf(failure) });
    } finally {
      setBusy(false);
      setConfirming(undefined);
    }
  }

  return (
    <>
      <h1 class={styles.title}>Pipedrive</h1>
      <p class={styles.lead}>Signed in as {props.session.account.email}.</p>
      <PendingJoinRequests session={props.session} />
      {notice === undefined ? null : <Notice tone={notice.tone}>{notice.text}</Notice>}
      <Section title="Organization connection">
        {connected ? (
          <p>
            <strong>{info.company?.name}</strong> is connected by{' '}
            {info.organization?.connectedBy ?? 'a Pipedrive admin'}
            {info.organization?.state === 'reauth_required'
              ? ' — Pipedrive stopped accepting it: reconnect to resume.'
              : '.'}
          </p>
        ) : (
          <p>
            {info.company?.status === 'disconnected' || info.company?.status === 'uninstalled'
              ? `${info.company.name} was disconnected. Its Pipedrive data is deleted ${info.company.purgeAfter === null ? 'soon' : `on ${formatDate(info.company.purgeAfter)}`} unless it reconnects.`
              : 'No Pipedrive company is connected. A Pipedrive admin connects it once for the whole team.'}
          </p>
        )}
        {isAdmin && (!connected || info.organization?.state === 'reauth_required') ? (
          <Button kind="primary" onClick={() => window.location.assign('/oauth/install?purpose=organization')}>
            Connect Pipedrive Organization
          </Button>
        ) : null}
        {isAdmin && connected ? (
          <Button kind="danger" onClick={() => setConfirming('organization')}>
            Disconnect Organization
          </Button>
        ) : null}
        {connected && info.company?.appSettingsUrl != null ? (
          <a href={info.company.appSettingsUrl}>Open Parley in Pipedrive</a>
        ) : null}
      </Section>
      <Section title="Your connection">
        <p>
          {info.personal === null
            ? 'You are not connected. Live chat and sending in Pipedrive need your own connection.'
            : `Connected as ${info.personal.pipedriveUserName ?? 'your Pipedrive user'}.`}
        </p>
        {connected && info.personal === null ? (
          <Button kind="primary" onClick={() => window.location.assign('/oauth/install?purpose=personal')}>
            Connect only for me
          </Button>
        ) : null}
        {info.personal === null ? null : <Button onClick={() => setConfirming('me')}>Disconnect only for me</Button>}
      </Section>
      {isAdmin && connected ? <BudgetMeter /> : null}
      {isAdmin && info.connectedUsers.length > 0 ? (
        <Section title="Connected Pipedrive users">
          <table class={styles.table}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Connection</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {info.connectedUsers.map((user) => (
                <tr key={user.email}>
                  <td>{user.name}</td>
                  <td>{user.email}</td>
                  <td>{user.isOrgConnection ? 'organization + personal' : 'personal'}</td>
                  <td>{user.state === 'active' ? 'active' : 'needs reconnecting'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      <ConfirmDialog
        open={confirming === 'organization'}
        title="Disconnect the organization?"
        description={STOPS_ORGANIZATION}
        confirmLabel="Disconnect everyone"
        busy={busy}
        onConfirm={() => void disconnect('organization')}
        onCancel={() => setConfirming(undefined)}
      />
      <ConfirmDialog
        open={confirming === 'me'}
        title="Disconnect only for you?"
        description={STOPS_ME}
        confirmLabel="Disconnect me"
        busy={busy}
        onConfirm={() => void disconnect('me')}
        onCancel={() => setConfirming(undefined)}
      />
    </>
  );
}

/** Where every Marketplace install lands: what is connected and what to do next. */
export function OnboardingView(props: { session: SessionInfo }) {
  const { info } = useIntegration();
  const isNew = new URLSearchParams(window.location.search).get('new') === '1';
  return (
    <>
      <h1 class={styles.title}>{isNew ? 'Welcome to Parley' : 'Parley is connected'}</h1>
      <p class={styles.lead}>
        {info?.company == null
          ? 'Loading…'
          : `${info.company.name} is connected to Parley${isNew ? `, and your workspace is ready, ${props.session.account.name}` : ''}.`}
      </p>
      <ol class={styles.steps}>
        <li>
          <strong>Organization connected.</strong> Parley can now create contacts, deals and leads and sync messages for
          your company. You are connected personally too.
        </li>
        <li>
          <strong>Connect a WhatsApp number</strong> in Parley’s WhatsApp settings, so conversations start flowing.
        </li>
        <li>
          <strong>Invite your team</strong> on the <a href="/team">Team page</a>; each member then clicks “Connect only
          for me” to chat from Pipedrive.
        </li>
        <li>
          <strong>Choose what Parley creates</strong> (persons, deals or leads, notes or activities) in Parley’s
          settings inside Pipedrive.
        </li>
      </ol>
      {info?.company?.appSettingsUrl == null ? null : (
        <Button kind="primary" onClick={() => window.location.assign(info.company?.appSettingsUrl ?? '/')}>
          Back to Pipedrive
        </Button>
      )}
      <Button onClick={() => window.location.assign('/integrations/pipedrive')}>See connections</Button>
    </>
  );
}
