import { useEffect, useState } from 'preact/hooks';
import { AUDIT_GROUPS, type AuditGroup } from '../../../../contracts/audit-actions.ts';
import type { AuditActorsReply, AuditEntry, AuditReply } from '../../../../contracts/dashboard.schemas.ts';
import { dashboardApi } from '../../../src/api/dashboard-client.ts';
import { messageOf } from '../../../src/api/http.ts';
import { Button } from '../../../src/components/Button/index.tsx';
import { Notice } from '../../../src/components/Notice/index.tsx';
import { formatDateTime, viewerTimeZone } from '../../../src/format/date-time.ts';
import { actorName, describeAuditEntry, type AuditWords, type SentencePart } from '../audit/audit-sentences.ts';
import styles from '../style.module.css';

const PAGE_SIZE = 50;

interface Filters {
  actor: string;
  group: AuditGroup | '';
  /** `YYYY-MM-DD` from a date field, in the viewer's time zone; '' for open-ended. */
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { actor: '', group: '', from: '', to: '' };
const isFiltered = (filters: Filters) => Object.values(filters).some((value) => value !== '');

/** Local midnight of a date field's day (or of the day after, for an inclusive "to"), as an instant. */
function localDayStart(day: string, offsetDays = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + offsetDays).toISOString();
}

function queryOf(filters: Filters, before: number | undefined): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (before !== undefined) params.set('before', String(before));
  if (filters.actor !== '') params.set('actor', filters.actor);
  if (filters.group !== '') params.set('group', filters.group);
  const since = localDayStart(filters.from);
  const until = localDayStart(filters.to, 1);
  if (since !== undefined) params.set('since', since);
  if (until !== undefined) params.set('until', until);
  return params.toString();
}

function Sentence(props: { parts: SentencePart[] }) {
  return (
    <>
      {props.parts.map((part, index) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ),
      )}
    </>
  );
}

function AuditFilters(props: { filters: Filters; onChange: (filters: Filters) => void }) {
  const [actors, setActors] = useState<AuditActorsReply | undefined>(undefined);
  useEffect(() => {
    dashboardApi
      .get<AuditActorsReply>('/api/audit/actors')
      .then(setActors)
      // The filter is a convenience: without the list, "Anyone" still works.
      .catch(() => setActors({ actors: [], names: {} }));
  }, []);
  const { filters, onChange } = props;
  const set = (patch: Partial<Filters>) => onChange({ ...filters, ...patch });
  const named = (actors?.actors ?? [])
    .map((actor) => ({ actor, name: actorName(actor, actors?.names ?? {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <form class={styles.filters} aria-label="Filter the audit log" onSubmit={(event) => event.preventDefault()}>
      <label>
        Who
        <select value={filters.actor} onChange={(e) => set({ actor: e.currentTarget.value })}>
          <option value="">Anyone</option>
          {named.map(({ actor, name }) => (
            <option key={actor} value={actor}>
              {actor === 'system'
                ? 'Parley (automatic)'
                : actor.startsWith('pipedrive_user:')
                  ? `${name} (in Pipedrive)`
                  : name}
            </option>
          ))}
        </select>
      </label>
      <label>
        What
        <select value={filters.group} onChange={(e) => set({ group: e.currentTarget.value as Filters['group'] })}>
          <option value="">Everything</option>
          {(Object.entries(AUDIT_GROUPS) as [AuditGroup, string][]).map(([group, label]) => (
            <option key={group} value={group}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input
          type="date"
          value={filters.from}
          max={filters.to || undefined}
          onInput={(e) => set({ from: e.currentTarget.value })}
        />
      </label>
      <label>
        To
        <input
          type="date"
          value={filters.to}
          min={filters.from || undefined}
          onInput={(e) => set({ to: e.currentTarget.value })}
        />
      </label>
      {isFiltered(filters) ? <Button onClick={() => onChange(NO_FILTERS)}>Clear filters</Button> : null}
    </form>
  );
}

function AuditRow(props: { entry: AuditEntry; words: AuditWords }) {
  const { entry, words } = props;
  return (
    <tr>
      <td class={styles.when}>
        <time dateTime={String(entry.at)}>{formatDateTime(entry.at)}</time>
      </td>
      <td class={styles.actor}>{actorName(entry.actor, words.names)}</td>
      <td class={styles.wrap}>
        <Sentence parts={describeAuditEntry(entry, words)} />
        <details class={styles.technical}>
          <summary>Technical details</summary>
          <pre>{JSON.stringify({ action: entry.action, subject: entry.subjectId, detail: entry.detail }, null, 2)}</pre>
        </details>
      </td>
    </tr>
  );
}

/**
 * `/audit`: what happened in the workspace, newest first, in sentences (who, what, linked to the
 * Pipedrive record). Filters by who, what and when; pages of 50. The raw entries stay at `/api/audit`.
 */
export function AuditView() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  /** `before` cursors of the pages above the current one; the current page's own cursor last. */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const [page, setPage] = useState<AuditReply | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>(undefined);
  const before = cursors.at(-1);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    dashboardApi
      .get<AuditReply>(`/api/audit?${queryOf(filters, before)}`)
      .then((reply) => current && setPage(reply))
      .catch((failure: unknown) => current && setError(messageOf(failure)))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [filters, before]);

  const changeFilters = (next: Filters) => {
    setFilters(next);
    setCursors([undefined]);
  };
  const words: AuditWords = { names: page?.names ?? {}, pipedriveUrl: page?.pipedriveUrl ?? null };

  return (
    <>
      <h1 class={styles.title}>Audit log</h1>
      <p class={styles.lead}>
        What happened in this workspace, newest first: connections, team changes, WhatsApp numbers, and every decision
        Parley made while syncing to Pipedrive. Times are yours ({viewerTimeZone()}).
      </p>
      <AuditFilters filters={filters} onChange={changeFilters} />
      {error !== undefined ? <Notice tone="error">{error}</Notice> : null}
      {page === undefined ? (
        loading ? (
          <p role="status" aria-busy="true">
            Loading the audit log…
          </p>
        ) : null
      ) : page.entries.length === 0 ? (
        <p role="status">{isFiltered(filters) ? 'Nothing matches these filters.' : 'Nothing has been recorded yet.'}</p>
      ) : (
        <table class={`${styles.table} ${styles.auditTable}`} aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col" class={styles.when}>
                When
              </th>
              <th scope="col" class={styles.actor}>
                Who
              </th>
              <th scope="col">What happened</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((entry) => (
              <AuditRow key={entry.id} entry={entry} words={words} />
            ))}
          </tbody>
        </table>
      )}
      <nav class={styles.pager} aria-label="Audit log pages">
        <Button disabled={cursors.length === 1 || loading} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </Button>
        {loading && page !== undefined ? <span role="status">Loading…</span> : null}
        <Button
          disabled={page?.nextBefore == null || loading}
          onClick={() => page?.nextBefore != null && setCursors([...cursors, page.nextBefore])}
        >
          Older →
        </Button>
      </nav>
    </>
  );
}
