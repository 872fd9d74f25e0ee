import type { WorkerRunner } from '../../../server/jobs/worker-runner.ts';
import { connectCompany, startTestWorkers } from '../../helpers/connected-company.ts';
import { startSandboxedTestApp } from '../../helpers/pipedrive-sandbox.ts';
import {
  addMessage,
  noteWrites,
  seedChat,
  transcriptNotes,
  workspaceOf,
  type SeededChat,
} from '../../helpers/sync-fixtures.ts';
import { waitFor } from '../../helpers/wait-for.ts';

describe('message sync: one note per chat per day, against the sandbox Pipedrive', () => {
  let h: Awaited<ReturnType<typeof startSandboxedTestApp>>;
  let workers: WorkerRunner;
  let chat: SeededChat;

  const db = () => h.testApp.database.db;
  const seed = () => h.pd.sandbox.pipedrive.seed.demo;
  const person = () => seed().persons[0] ?? fail('seed changed');
  const deal = () => seed().deals[0] ?? fail('seed changed');
  const fail = (message: string): never => {
    throw new Error(message);
  };
  /** The chat's one note, once it shows `text`. */
  const noteShowing = (text: string) =>
    waitFor(
      () => {
        const notes = transcriptNotes(h.pd.sandbox, chat.chatId);
        return notes.length === 1 && notes[0]?.content.includes(text) === true ? notes[0] : undefined;
      },
      { message: `the note shows ${text}` },
    );

  beforeEach(async () => {
    h = await startSandboxedTestApp();
    await connectCompany(h.testApp, h.pd.consent());
    workers = await startTestWorkers(h.testApp);
    const workspaceId = await workspaceOf(db(), seed().company.id);
    chat = await seedChat(db(), { workspaceId, personId: person().id, dealId: deal().id });
  });

  afterEach(async () => {
    await workers.stop();
    await h.close();
  });

  it("lands the day's messages in one note on the person and the deal, updated as messages arrive", async () => {
    await addMessage(db(), h.testApp.jobs, chat, { body: 'Hola <script>alert(1)</script> & "quotes"' });
    const note = await noteShowing('Hola');
    expect(note).toMatchObject({ personId: person().id, dealId: deal().id });
    expect(note.content).toContain('Hola &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(note.content).not.toContain('<script>');
    expect(note.content).toContain('Carla Customer');

    await addMessage(db(), h.testApp.jobs, chat, { body: 'second message' });
    const updated = await noteShowing('second message');
    expect(updated.id).toBe(note.id);
    expect(updated.content.indexOf('Hola')).toBeLessThan(updated.content.indexOf('second message'));
    expect(transcriptNotes(h.pd.sandbox, chat.chatId)).toHaveLength(1);
    expect(noteWrites(h.pd.sandbox)).toHaveLength(2);
  });
});
