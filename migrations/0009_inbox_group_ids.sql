-- store_inbox_group (0008) also returns the ids of the rows it stored, so the process that committed
-- them can hand them to its own inbox processor at once (server/services/whatsapp/inbox-handoff.ts)
-- instead of waiting for a worker to fetch their job. The jobs are inserted as before and stay the
-- durable path. Returns how many rows each webhook (1 … webhook_count) stored, and every new row's id.
DROP FUNCTION store_inbox_group(text[], text[], uuid[], bigint[], uuid[], jsonb[], integer[], integer, text, jsonb);
--> statement-breakpoint
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
  job_template jsonb,
  OUT stored integer[],
  OUT inbox_ids bigint[]
)
LANGUAGE plpgsql AS $$
DECLARE
  jobs jsonb;
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
    ),
    ARRAY(SELECT o.id FROM owner o ORDER BY o.id)
  INTO jobs, stored, inbox_ids;
  IF jobs IS NOT NULL THEN
    EXECUTE job_insert_sql USING jobs::text;
  END IF;
END;
$$;
