import type { Lead, LeadLabel } from 'pipedrive/v1';
import type { Sandbox } from '../../../sandbox/index.ts';
import type { NoteV1 } from '../../../sandbox/pipedrive/api/serializers/v1.ts';
import { callApi, startWithTokens } from './pipedrive-helpers.ts';

type OffsetPagination = { start: number; limit: number; more_items_in_collection: boolean; next_start?: number };

describe('Pipedrive sandbox API v1 leads and notes', () => {
  let sandbox: Sandbox;
  let admin: string;
  let sam: string;

  beforeEach(async () => {
    ({ sandbox, admin, sam } = await startWithTokens());
  });
  afterEach(async () => {
    await sandbox.close();
  });

  describe('leads', () => {
    it('creates a lead linked to a person (UUID id, source API)', async () => {
      const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
      const labels = await callApi<LeadLabel[]>(sandbox, sam, 'GET', '/api/v1/leadLabels');
      expect(labels.body.data.map((label) => label.name)).toEqual(['Hot', 'Warm', 'Cold']);
      const hot = labels.body.data[0]?.id ?? '';

      const created = await callApi<Lead>(sandbox, sam, 'POST', '/api/v1/leads', {
        title: 'WhatsApp: Maria',
        person_id: String(maria),
        label_ids: [hot],
        value: { amount: 120, currency: 'EUR' },
        visible_to: '3',
      });
      expect(created.status).toBe(201);
      expect(created.body.data).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        title: 'WhatsApp: Maria',
        person_id: maria,
        organization_id: null,
        label_ids: [hot],
        value: { amount: 120, currency: 'EUR' },
        source_name: 'API',
        is_archived: false,
        visible_to: '3',
        owner_id: sandbox.pipedrive.seed.demo.users[1]?.id,
      });

      const fetched = await callApi<Lead>(sandbox, sam, 'GET', `/api/v1/leads/${created.body.data.id}`);
      expect(fetched.body.data).toEqual(created.body.data);
    });

    it('validates leads and answers 404 for unknown ones', async () => {
      const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
      expect((await callApi(sandbox, admin, 'POST', '/api/v1/leads', { person_id: maria })).body.error).toBe(
        'Validation failed: title: required',
      );
      expect((await callApi(sandbox, admin, 'POST', '/api/v1/leads', { title: 'No contact' })).status).toBe(400);
      expect(
        (await callApi(sandbox, admin, 'POST', '/api/v1/leads', { title: 'X', person_id: maria, label_ids: ['nope'] }))
          .status,
      ).toBe(400);
      const missing = await callApi(sandbox, admin, 'GET', '/api/v1/leads/00000000-0000-4000-8000-000000000000');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ success: false, error: 'Lead not found', data: null });
    });

    it('patches and lists leads with offset pagination', async () => {
      const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
      const ids: string[] = [];
      for (const title of ['One', 'Two', 'Three']) {
        ids.push(
          (await callApi<Lead>(sandbox, admin, 'POST', '/api/v1/leads', { title, person_id: maria })).body.data.id,
        );
      }
      const patched = await callApi<Lead>(sandbox, admin, 'PATCH', `/api/v1/leads/${ids[0]}`, { is_archived: true });
      expect(patched.body.data).toMatchObject({ title: 'One', is_archived: true });

      const page = await callApi<Lead[], OffsetPagination>(sandbox, admin, 'GET', '/api/v1/leads?start=0&limit=2');
      expect(page.body.data).toHaveLength(2);
      expect(page.body.additional_data).toEqual({ start: 0, limit: 2, more_items_in_collection: true });
      const notArchived = await callApi<Lead[]>(sandbox, admin, 'GET', '/api/v1/leads?archived_status=not_archived');
      expect(notArchived.body.data.map((lead) => lead.title)).toEqual(['Two', 'Three']);
    });
  });

  describe('notes', () => {
    it('adds a note to a deal, sanitizing its HTML', async () => {
      const deal = sandbox.pipedrive.seed.demo.deals[0]?.id ?? 0;
      const created = await callApi<NoteV1>(sandbox, sam, 'POST', '/api/v1/notes', {
        content: '<p>Hi <b>there</b><script>alert(1)</script><img src=x onerror="steal()"></p>',
        deal_id: deal,
        pinned_to_deal_flag: 1,
      });
      expect(created.status).toBe(201);
      expect(created.body.data).toMatchObject({
        content: '<p>Hi <b>there</b><img src=x></p>',
        deal_id: deal,
        person_id: null,
        lead_id: null,
        pinned_to_deal_flag: true,
        active_flag: true,
        user_id: sandbox.pipedrive.seed.demo.users[1]?.id,
        deal: { title: 'Website redesign' },
        add_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      });
    });

    it('requires content and at least one anchor', async () => {
      const { demo } = sandbox.pipedrive.seed;
      const cases: [object, number][] = [
        [{ deal_id: demo.deals[0]?.id }, 400],
        [{ content: 'orphan' }, 400],
        [{ content: 'two', deal_id: demo.deals[0]?.id, person_id: demo.persons[0]?.id }, 201],
        [{ content: 'all null', deal_id: null, person_id: null }, 400],
        [{ content: 'project', project_id: 1 }, 400],
        [{ content: 'one ghost of two', deal_id: demo.deals[0]?.id, person_id: 987654 }, 400],
        [{ content: 'ghost', person_id: 987654 }, 400],
        [{ content: 'v1 tolerates unknown fields', person_id: demo.persons[0]?.id, extra: 'x' }, 201],
        [{ content: 'x'.repeat(100 * 1024 + 1), person_id: demo.persons[0]?.id }, 400],
      ];
      for (const [body, status] of cases) {
        expect((await callApi(sandbox, admin, 'POST', '/api/v1/notes', body)).status).toBe(status);
      }
    });

    it('refuses notes on records the user may not see and user_id from non-admins', async () => {
      const { demo } = sandbox.pipedrive.seed;
      const privateDeal = demo.deals[2]?.id ?? 0;
      expect(
        (await callApi(sandbox, sam, 'POST', '/api/v1/notes', { content: 'x', deal_id: privateDeal })).status,
      ).toBe(400);
      const onBehalf = await callApi(sandbox, sam, 'POST', '/api/v1/notes', {
        content: 'x',
        person_id: demo.persons[0]?.id,
        user_id: demo.admin.id,
      });
      expect(onBehalf.status).toBe(403);
      const asAdmin = await callApi<NoteV1>(sandbox, admin, 'POST', '/api/v1/notes', {
        content: 'x',
        person_id: demo.persons[0]?.id,
        user_id: demo.users[1]?.id,
      });
      expect(asAdmin.body.data.user_id).toBe(demo.users[1]?.id);
    });

    it('updates a note with PUT and lists notes of a person with pagination', async () => {
      const maria = sandbox.pipedrive.seed.demo.persons[0]?.id ?? 0;
      const created = await callApi<NoteV1>(sandbox, admin, 'POST', '/api/v1/notes', {
        content: 'first',
        person_id: maria,
      });
      const noteId = created.body.data.id ?? 0;
      const updated = await callApi<NoteV1>(sandbox, admin, 'PUT', `/api/v1/notes/${noteId}`, {
        content: '<i>edited</i>',
      });
      expect(updated.status).toBe(200);
      expect(updated.body.data).toMatchObject({ id: noteId, content: '<i>edited</i>', person_id: maria });
      expect((await callApi(sandbox, admin, 'PUT', '/api/v1/notes/1', { content: 'x' })).status).toBe(404);

      await callApi(sandbox, admin, 'POST', '/api/v1/notes', { content: 'second', person_id: maria });
      const page = await callApi<NoteV1[], { pagination: OffsetPagination }>(
        sandbox,
        admin,
        'GET',
        `/api/v1/notes?person_id=${maria}&limit=1&sort=add_time%20ASC`,
      );
      expect(page.body.data.map((note) => note.content)).toEqual(['<i>edited</i>']);
      expect(page.body.additional_data).toEqual({
        pagination: { start: 0, limit: 1, more_items_in_collection: true, next_start: 1 },
      });
    });

    it('keeps a note on a person and a deal together; PUT changes only the anchors it names', async () => {
      const { demo } = sandbox.pipedrive.seed;
      const deal = demo.deals[0]?.id ?? 0;
      const maria = demo.persons[0]?.id ?? 0;
      const john = demo.persons[1]?.id ?? 0;
      const onDeal = await callApi<NoteV1>(sandbox, admin, 'POST', '/api/v1/notes', {
        content: 'chat',
        deal_id: deal,
        pinned_to_deal_flag: 1,
      });
      const noteId = onDeal.body.data.id ?? 0;

      const withPerson = await callApi<NoteV1>(sandbox, admin, 'PUT', `/api/v1/notes/${noteId}`, {
        person_id: maria,
        pinned_to_person_flag: '1',
      });
      expect(withPerson.status).toBe(200);
      expect(withPerson.body.data).toMatchObject({
        deal_id: deal,
        person_id: maria,
        pinned_to_deal_flag: true,
        pinned_to_person_flag: true,
        deal: { title: expect.any(String) },
        person: { name: 'Maria Gomez' },
      });

      // It shows on both records' note lists, and the pin filters select it.
      const listed = async (query: string) =>
        (await callApi<NoteV1[] | null>(sandbox, admin, 'GET', `/api/v1/notes?${query}`)).body.data?.map(
          (note) => note.id,
        ) ?? [];
      expect(await listed(`deal_id=${deal}`)).toContain(noteId);
      expect(await listed(`person_id=${maria}`)).toContain(noteId);
      expect(await listed(`person_id=${maria}&pinned_to_person_flag=1`)).toEqual([noteId]);
      expect(await listed(`deal_id=${deal}&pinned_to_deal_flag=0`)).not.toContain(noteId);

      // Moving it to another person keeps the deal; clearing the deal drops the deal's pin.
      const moved = await callApi<NoteV1>(sandbox, admin, 'PUT', `/api/v1/notes/${noteId}`, {
        person_id: john,
        deal_id: null,
      });
      expect(moved.body.data).toMatchObject({
        deal_id: null,
        person_id: john,
        pinned_to_deal_flag: false,
        pinned_to_person_flag: true,
      });
    });

    it('refuses a pin without its anchor and removing the last anchor', async () => {
      const { demo } = sandbox.pipedrive.seed;
      const maria = demo.persons[0]?.id ?? 0;
      const refused = await callApi(sandbox, admin, 'POST', '/api/v1/notes', {
        content: 'x',
        person_id: maria,
        pinned_to_deal_flag: 1,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('Validation failed: pinned_to_deal_flag: the note has no deal_id');
      const created = await callApi<NoteV1>(sandbox, admin, 'POST', '/api/v1/notes', {
        content: 'x',
        person_id: maria,
      });
      const noteId = created.body.data.id ?? 0;
      const lastAnchor = await callApi(sandbox, admin, 'PUT', `/api/v1/notes/${noteId}`, { person_id: null });
      expect(lastAnchor.status).toBe(400);
      const orgPin = await callApi(sandbox, admin, 'PUT', `/api/v1/notes/${noteId}`, {
        pinned_to_organization_flag: 1,
      });
      expect(orgPin.body.error).toBe('Validation failed: pinned_to_organization_flag: the note has no org_id');
      // Nothing changed by the refused updates.
      expect((await callApi<NoteV1>(sandbox, admin, 'GET', `/api/v1/notes/${noteId}`)).body.data).toMatchObject({
        person_id: maria,
        pinned_to_organization_flag: false,
      });
    });

    it('hides notes on records the user may not see', async () => {
      const { demo } = sandbox.pipedrive.seed;
      const lucas = demo.persons[2]?.id ?? 0; // Rita's private person
      const note = await callApi<NoteV1>(sandbox, admin, 'POST', '/api/v1/notes', {
        content: 'secret',
        person_id: lucas,
      });
      expect((await callApi(sandbox, sam, 'GET', `/api/v1/notes/${note.body.data.id}`)).status).toBe(404);
      const samNotes = await callApi<NoteV1[]>(sandbox, sam, 'GET', '/api/v1/notes');
      expect(samNotes.body.data.map((entry) => entry.id)).not.toContain(note.body.data.id);
    });
  });
});
