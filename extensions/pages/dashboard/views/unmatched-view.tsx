import { useEffect, useState } from 'preact/hooks';
import type { UnmatchedEntry } from '../../../../contracts/sync.schemas.ts';
import { dashboardApi } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import styles from '../style.module.css';

const REASONS: Record<string, string> = {
  several_matches: 'Several Pipedrive persons have this number.',
  no_phone: 'WhatsApp did not share this sender’s number (only a username).',
  group: 'A group chat: choose whose timeline it belongs on.',
};

/** `/unmatched`: chats Parley could not link alone; a member chooses the person once. */
export function UnmatchedView() {
  const [entries, setEntries] = useState<UnmatchedEntry[] | undefined>(undefined);
  const [feedback, setFeedback] = useState<{ tone: 'success' | 'error'; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState<string | undefined>(undefined);

  const load = () =>
    dashboardApi
      .get<{ entries: UnmatchedEntry[] }>('/api/dashboard/unmatched')
      .then((result) => setEntries(result.entries))
      .catch((failure: unknown) => setFeedback({ tone: 'error', text: messageOf(failure) }));
  useEffect(() => void load(), []);

  async function choose(entry: UnmatchedEntry, choice: { personId: number } | { createNew: true }, label: string) {
    setBusy(entry.id);
    try {
      await dashboardApi.post(`/api/dashboard/unmatched/${entry.id}/choose`, choice);
      setFeedback({
        tone: 'success',
        text: `${entry.profileName ?? entry.phone ?? 'The chat'} now syncs to ${label}.`,
      });
      await load();
    } catch (failure) {
      setFeedback({ tone: 'error', text: messageOf(failure) });
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <>
      <h1 class={styles.title}>Unmatched chats</h1>
      <p class={styles.lead}>
        Parley could not tell which Pipedrive person these chats belong to. Choose once; Parley remembers it for the
        chat and syncs its messages from then on.
      </p>
      {feedback === undefined ? null : <Notice tone={feedback.tone}>{feedback.text}</Notice>}
      {entries === undefined ? (
        <p>Loading…</p>
      ) : entries.length === 0 ? (
        <p>Nothing to choose: every chat is linked.</p>
      ) : (
        <table class={styles.table}>
          <thead>
            <tr>
              <th scope="col">WhatsApp contact</th>
              <th scope="col">Choose their Pipedrive person</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <strong>{entry.profileName ?? 'Unknown name'}</strong>
                  <br />
                  {entry.phone ?? 'no number'}
                  <br />
                  <small>{REASONS[entry.reason] ?? entry.reason}</small>
                </td>
                <td>
                  {entry.candidates.map((candidate) => (
                    <Button
                      key={candidate.id}
                      busy={busy === entry.id}
                      onClick={() => void choose(entry, { personId: candidate.id }, candidate.name)}
                    >
                      {candidate.name} ({candidate.phones.join(', ')})
                    </Button>
                  ))}
                  <Button
                    kind="primary"
                    busy={busy === entry.id}
                    onClick={() => void choose(entry, { createNew: true }, 'a new person')}
                  >
                    Create a new person
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
