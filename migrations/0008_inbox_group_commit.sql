-- One group commit of the webhook inbox in one statement (server/services/whatsapp/inbox-writer.ts):
-- the rows of several webhooks, then one processing job per webhook that stored something, naming
-- its new rows. The job insert is pg-boss's own statement with its own single parameter, handed in
-- by the caller (JobQueue.prepareInsert), so the queue's table, policy and NOTIFY stay pg-boss's.
-- Called as one statement, it is one implicit transaction: one round trip instead of four
-- (BEGIN, rows, jobs, COMMIT). Returns how many rows each webhook (1 … webhook_count) stored.
CREATE FUNCTION store_inbox_group(
  in_providers text[],
  in_dedupe_keys text[],
  in_workspace_ids uuid[],
  in_company_ids bigint[],
  in_channel_ids uuid[],
  in_payloads jsonb[],
  in_webhooks integer[],
  webhook_count integer,
  job_insert_sql text,
  job_template jsonb
) RETURNS integer[]
LANGUAGE plpgsql AS $$
DECLARE
  jobs jsonb;
  stored integer[];
BEGIN
  WITH candidate AS (
    SELECT *
    FROM unnest(in_providers, in_dedupe_keys, in_workspace_ids, in_company_ids, in_channel_ids, in_payloads, in_webhooks)
      WITH ORDINALITY AS c(provider, dedupe_key, workspace_id, company_id, channel_id, payload, webhook, position)
  ), inserted AS (
    INSERT INTO inbox_events (provider, dedupe_key, workspace_id, company_id, channel_id, payload)
    SELECT c.provider, c.dedupe_key, c.workspace_id, c.company_id, c.channel_id, c.payload FROM candidate c ORDER BY c.position
    ON CONFLICT (provider, dedupe_key) DO NOTHING
    RETURNING inbox_events.id, inbox_events.provider, inbox_events.dedupe_key
  ), owner AS (
    -- A key carried twice in one group belongs to the first webhook that carried it (as if the
    -- second had come after the commit).
    SELECT DISTINCT ON (i.id) i.id, c.webhook, c.position
    FROM inserted i JOIN candidate c ON c.provider = i.provider AND c.dedupe_key = i.dedupe_key
    ORDER BY i.id, c.position
  ), per_webhook AS (
    SELECT o.webhook, jsonb_agg(o.id ORDER BY o.position) AS ids FROM owner o GROUP BY o.webhook
  )
  SELECT
    (SELECT jsonb_agg(jsonb_set(job_template, '{data,inboxIds}', p.ids) ORDER BY p.webhook) FROM per_webhook p),
    ARRAY(
      SELECT coalesce(jsonb_array_length(p.ids), 0)
      FROM generate_series(1, webhook_count) AS w(webhook) LEFT JOIN per_webhook p ON p.webhook = w.webhook
      ORDER BY w.webhook
    )
  INTO jobs, stored;
  IF jobs IS NOT NULL THEN
    EXECUTE job_insert_sql USING jobs::text;
  END IF;
  RETURN stored;
END;
$$;
