import { useEffect, useState } from 'preact/hooks';
import type { BudgetInfo } from '../../../../contracts/sync.schemas.ts';
import { dashboardApi } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Notice } from '../../../src/components/Notice/index.tsx';
import { Section } from '../../../src/components/Section/index.tsx';
import { formatDate, formatRecent } from '../../../src/format/date-time.ts';
import styles from '../style.module.css';

const FEATURE_NAMES: Record<string, string> = {
  'sync.transcripts': 'Message sync',
  settings: 'Settings',
};

/** Budget days are UTC calendar days (`YYYY-MM-DD`), printed as days in UTC. */
const utcDay = (day: string) => formatDate(`${day}T00:00:00Z`, { timeZone: 'UTC' });

/** The budget meter on the Pipedrive page (admins): the pause, then the last days per feature. */
export function BudgetMeter() {
  const [budget, setBudget] = useState<BudgetInfo | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    dashboardApi
      .get<BudgetInfo>('/api/budget')
      .then(setBudget)
      .catch((failure: unknown) => setError(messageOf(failure)));
  }, []);

  if (error !== undefined) return <Notice tone="error">{error}</Notice>;
  if (budget === undefined) return null;
  const busiest = Math.max(1, ...budget.days.map((day) => day.tokens));
  return (
    <Section title="Pipedrive API budget">
      {budget.pausedUntil === null ? null : (
        <Notice tone="error">
          Sync paused until {formatRecent(budget.pausedUntil)}: your company’s daily Pipedrive API budget is used up.
          WhatsApp messages are still stored, and Parley syncs them when the budget resets.
        </Notice>
      )}
      <p class={styles.lead}>
        Tokens Parley spent per day (UTC), by feature. The budget is shared with everything else your company runs on
        Pipedrive’s API; these are Parley’s estimates per call.
      </p>
      {budget.days.length === 0 ? (
        <p>No Pipedrive API calls yet.</p>
      ) : (
        <table class={styles.table} aria-label="Pipedrive API tokens per day">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Tokens</th>
              <th scope="col">By feature</th>
            </tr>
          </thead>
          <tbody>
            {budget.days.map((day) => (
              <tr key={day.day}>
                <td>
                  <time dateTime={day.day}>{utcDay(day.day)}</time>
                </td>
                <td>
                  <span class={styles.meter} aria-hidden="true">
                    <span class={styles.meterFill} style={{ width: `${Math.round((day.tokens / busiest) * 100)}%` }} />
                  </span>{' '}
                  {day.tokens.toLocaleString()}
                </td>
                <td>
                  {day.features
                    .map(
                      (entry) => `${FEATURE_NAMES[entry.feature] ?? entry.feature}: ${entry.tokens.toLocaleString()}`,
                    )
                    .join(' · ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
