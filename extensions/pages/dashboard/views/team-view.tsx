import { useEffect, useState } from 'preact/hooks';
import type { MemberRole } from '../../../../contracts/common.schemas.ts';
import type { InviteReply, TeamInfo } from '../../../../contracts/dashboard.schemas.ts';
import { dashboardApi, type SessionInfo } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Field } from '../../../src/components/Field/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import { Section } from '../../../src/components/Section/index.tsx';
import { formatDate, formatDateTime } from '../../../src/format/date-time.ts';
import styles from '../style.module.css';

type Role = MemberRole;

/**
 * On an admin's home page: people asking to join (from a Pipedrive consent or a join link) wait
 * for someone to decide, so they are surfaced where admins land, not only on the team page.
 */
export function PendingJoinRequests(props: { session: SessionInfo }) {
  const [waiting, setWaiting] = useState<TeamInfo['joinRequests']>([]);
  const isAdmin = props.session.workspace !== null && props.session.workspace.role !== 'member';
  useEffect(() => {
    if (!isAdmin) return;
    // The home page works without this notice: a failure here only leaves it out.
    dashboardApi
      .get<TeamInfo>('/api/team')
      .then((team) => setWaiting(team.joinRequests))
      .catch(() => undefined);
  }, [isAdmin]);
  if (waiting.length === 0) return null;
  const names = waiting.map((request) => request.name ?? request.email);
  return (
    <Notice tone="info">
      {waiting.length === 1
        ? `${names[0] ?? ''} is asking to join this workspace.`
        : `${waiting.length} people are asking to join this workspace: ${names.join(', ')}.`}{' '}
      <a href="/team">Review on the Team page</a>
    </Notice>
  );
}

/** Copies an invitation link and says so; the link stays shown for manual copying when the clipboard is refused. */
function copyLink(link: string, setNotice: (notice: { tone: 'success' | 'error'; text: string }) => void) {
  void navigator.clipboard.writeText(link).then(
    () => setNotice({ tone: 'success', text: 'Link copied.' }),
    () => setNotice({ tone: 'error', text: `Your browser did not allow copying. The link: ${link}` }),
  );
}

/** `/team`: members and roles, invitation links to copy, and join requests to decide. */
export function TeamView(props: { session: SessionInfo }) {
  const [team, setTeam] = useState<TeamInfo | undefined>(undefined);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  const [invite, setInvite] = useState<{ email: string; role: Role }>({ email: '', role: 'member' });
  const [link, setLink] = useState<string | undefined>(undefined);
  const canManage = props.session.workspace?.role !== 'member';

  const reload = async () => setTeam(await dashboardApi.get<TeamInfo>('/api/team'));
  useEffect(() => {
    reload().catch((failure: unknown) => setNotice({ tone: 'error', text: messageOf(failure) }));
  }, []);

  async function act(action: () => Promise<unknown>, done: string) {
    setNotice(undefined);
    try {
      await action();
      setNotice({ tone: 'success', text: done });
      await reload();
    } catch (failure) {
      setNotice({ tone: 'error', text: messageOf(failure) });
    }
  }

  async function sendInvite(event: Event) {
    event.preventDefault();
    await act(async () => {
      const created = await dashboardApi.post<InviteReply>('/api/team/invitations', invite);
      setLink(created.link);
      setInvite({ email: '', role: 'member' });
    }, `Invitation created for ${invite.email}. Copy the link and send it to them; it works once, for 7 days, and stays here to copy again until it is used.`);
  }

  if (team === undefined)
    return notice === undefined ? <p>Loading…</p> : <Notice tone={notice.tone}>{notice.text}</Notice>;
  return (
    <>
      <h1 class={styles.title}>Team</h1>
      <p class={styles.lead}>Members use the same email as in Pipedrive, so Parley can match them.</p>
      {notice === undefined ? null : <Notice tone={notice.tone}>{notice.text}</Notice>}
      {team.joinRequests.length > 0 ? (
        <Section title="Asking to join">
          <table class={styles.table}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">From</th>
                <th scope="col">Decision</th>
              </tr>
            </thead>
            <tbody>
              {team.joinRequests.map((request) => (
                <tr key={request.id}>
                  <td>{request.name ?? request.email}</td>
                  <td>{request.email}</td>
                  <td>
                    {request.pipedriveUserId === null ? 'asked' : 'asked from Pipedrive'}{' '}
                    {formatDateTime(request.createdAt)}
                  </td>
                  <td>
                    {canManage ? (
                      <>
                        <Button
                          kind="primary"
                          onClick={() =>
                            void act(
                              () => dashboardApi.post(`/api/team/join-requests/${request.id}/approve`),
                              `${request.email} joined the workspace.`,
                            )
                          }
                        >
                          Approve
                        </Button>
                        <Button
                          onClick={() =>
                            void act(
                              () => dashboardApi.post(`/api/team/join-requests/${request.id}/decline`),
                              `Declined ${request.email}.`,
                            )
                          }
                        >
                          Decline
                        </Button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      <Section title="Members">
        <table class={styles.table}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((member) => (
              <tr key={member.id}>
                <td>{member.name}</td>
                <td>{member.email}</td>
                <td>
                  {canManage && member.id !== props.session.workspace?.memberId ? (
                    <select
                      aria-label={`Role of ${member.email}`}
                      value={member.role}
                      onChange={(e) =>
                        void act(
                          () => dashboardApi.patch(`/api/team/members/${member.id}`, { role: e.currentTarget.value }),
                          `${member.email} is now ${e.currentTarget.value}.`,
                        )
                      }
                    >
                      <option value="owner">Owner</option>
                      <option value="admin">Admin</option>
                      <option value="member">Member</option>
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td>
                  {canManage && member.id !== props.session.workspace?.memberId ? (
                    <Button
                      kind="danger"
                      onClick={() =>
                        void act(
                          () => dashboardApi.delete(`/api/team/members/${member.id}`),
                          `${member.email} was removed; their personal Pipedrive connection ended.`,
                        )
                      }
                    >
                      Remove
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      {canManage ? (
        <Section title="Invite">
          <form onSubmit={(event) => void sendInvite(event)}>
            <Field label="Email">
              <input
                type="email"
                required
                value={invite.email}
                onInput={(e) => setInvite({ ...invite, email: e.currentTarget.value })}
              />
            </Field>
            <Field label="Role">
              <select
                value={invite.role}
                onChange={(e) => setInvite({ ...invite, role: e.currentTarget.value as Role })}
              >
                <option value="member">Member</option>
                <option value="admin">Admin</option>
                {props.session.workspace?.role === 'owner' ? <option value="owner">Owner</option> : null}
              </select>
            </Field>
            <Button kind="primary" type="submit">
              Create invitation link
            </Button>
          </form>
          {link === undefined ? null : (
            <div class={styles.copy}>
              <input readOnly value={link} aria-label="Invitation link" onFocus={(e) => e.currentTarget.select()} />
              <Button onClick={() => copyLink(link, setNotice)}>Copy</Button>
            </div>
          )}
          {team.invitations.length > 0 ? (
            <table class={styles.table}>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {team.invitations.map((invitation) => (
                  <tr key={invitation.id}>
                    <td>{invitation.email}</td>
                    <td>{invitation.role}</td>
                    <td>{formatDate(invitation.expiresAt)}</td>
                    <td>
                      {invitation.link === null ? null : (
                        <Button onClick={() => copyLink(invitation.link ?? '', setNotice)}>Copy link</Button>
                      )}
                      <Button
                        onClick={() =>
                          void act(
                            () => dashboardApi.delete(`/api/team/invitations/${invitation.id}`),
                            `Invitation for ${invitation.email} revoked.`,
                          )
                        }
                      >
                        Revoke
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </Section>
      ) : null}
    </>
  );
}
