import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Person } from 'pipedrive/v2';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { fetchPage } from '../../helpers/sandbox-pages.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { callApi, connect, testApp } from './pipedrive-helpers.ts';

describe('sandbox state across restarts (DATA_DIR)', () => {
  let dataDir: string;
  const running: Sandbox[] = [];

  const start = async (options: { port?: number } = {}): Promise<Sandbox> => {
    const sandbox = await startSandbox({ port: options.port ?? 0, timeScale: 0.001, apps: [testApp()], dataDir });
    running.push(sandbox);
    return sandbox;
  };
  const stop = async (sandbox: Sandbox): Promise<void> => {
    running.splice(running.indexOf(sandbox), 1);
    await sandbox.close();
  };
  const stateFile = () => path.join(dataDir, 'sandbox', 'state.json');
  const identitiesFile = () => path.join(dataDir, 'sandbox', 'identities.json');

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sandbox-data-'));
  });

  afterEach(async () => {
    for (const sandbox of running.splice(0)) await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the WhatsApp credentials, records, grants, sign-ins and chats', async () => {
    const first = await start();
    const numbers = first.whatsapp.numbers.map((number) => ({ ...number }));
    const { demo } = first.pipedrive.seed;
    const tokens = connect(first, demo.admin.id);
    const created = await callApi<Person>(first, tokens.access_token, 'POST', '/api/v2/persons', {
      name: 'Persisted Person',
      phones: [{ value: '+44 20 7946 0018', label: 'work', primary: true }],
    });
    expect(created.status).toBe(200);
    const wamid = first.whatsapp.sendFromCustomer({ from: '34600111222', text: 'Still there after a restart?' });
    const { cookie } = first.pipedrive.ui.signIn(demo.users[1]?.id ?? 0);
    await stop(first);

    const second = await start();
    expect(second.whatsapp.numbers).toEqual(numbers);
    expect(second.pipedrive.seed.demo.admin.id).toBe(demo.admin.id);
    const person = await callApi<Person>(second, tokens.access_token, 'GET', `/api/v2/persons/${created.body.data.id}`);
    expect(person.status).toBe(200);
    expect(person.body.data.name).toBe('Persisted Person');
    expect(second.whatsapp.conversation({ customer: '34600111222' }).map((message) => message.wamid)).toContain(wamid);
    const page = await fetchPage(`${second.url}/deals`, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`data-signed-in-user="${demo.users[1]?.id}"`);
    // The id sequences continue: a new record never reuses an id from before the restart.
    const next = await callApi<Person>(second, tokens.access_token, 'POST', '/api/v2/persons', { name: 'After' });
    expect(next.body.data.id).toBeGreaterThan(created.body.data.id ?? Infinity);
    // The Graph token Parley stored still works after the restart.
    const graph = await fetch(`${second.url}/v23.0/${numbers[0]?.phoneNumberId}`, {
      headers: { authorization: `Bearer ${numbers[0]?.accessToken}` },
    });
    expect(graph.status).toBe(200);
  });

  it('saves a change within the save delay, without waiting for close, in files only the owner can read', async () => {
    const sandbox = await startSandbox({ port: 0, timeScale: 0.001, apps: [testApp()], dataDir, saveDelayMs: 20 });
    running.push(sandbox);
    const tokens = connect(sandbox, sandbox.pipedrive.seed.demo.admin.id);
    await callApi(sandbox, tokens.access_token, 'POST', '/api/v2/persons', { name: 'Saved Soon' });
    await waitForFileContaining(stateFile(), 'Saved Soon');
    for (const file of [stateFile(), identitiesFile()]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(stateFile())).mode & 0o777).toBe(0o700);
    // Written through a temporary file and renamed: none is left behind.
    expect(readdirSync(path.dirname(stateFile())).sort()).toEqual(['identities.json', 'state.json']);
  });

  it('moves a damaged state file aside and starts from the seed data, keeping the credentials', async () => {
    const first = await start();
    const credentials = first.whatsapp.numbers[0]?.accessToken;
    await stop(first);
    writeFileSync(stateFile(), '{"version": 1, "pipedrive": ');
    const second = await start();
    expect(second.whatsapp.numbers[0]?.accessToken).toBe(credentials);
    expect(second.pipedrive.seed.demo.admin.name).toBe('Ada Admin');
    expect(readdirSync(path.dirname(stateFile())).some((name) => name.startsWith('state.json.damaged-'))).toBe(true);
  });

  it('refuses to start with damaged credentials instead of silently minting new ones', async () => {
    await stop(await start());
    writeFileSync(identitiesFile(), '{"businesses": [{"appId": ""}]}');
    await expect(start()).rejects.toThrow(/identities\.json is damaged/);
  });

  it('keeps nothing without a data directory', async () => {
    const first = await startSandbox({ port: 0, timeScale: 0.001 });
    const second = await startSandbox({ port: 0, timeScale: 0.001 });
    running.push(first, second);
    expect(second.whatsapp.numbers[0]?.accessToken).not.toBe(first.whatsapp.numbers[0]?.accessToken);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

/** Polls the file (the save runs on a timer of its own, with no event to wait for). */
async function waitForFileContaining(file: string, text: string): Promise<void> {
  await waitFor(() => {
    try {
      return readFileSync(file, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}
