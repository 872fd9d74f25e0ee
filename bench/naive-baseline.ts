/**
 * NAIVE BASELINE — not Parley. What a straightforward WhatsApp→Pipedrive integration does for every
 * incoming message, synchronously: search the person by phone, create the person if there is none,
 * and add the message as a note of its own. The cost scenario runs it on the same emulator, with the
 * same messages, to show what Parley's coalescing and caching save. It waits out 429s (Retry-After)
 * so that it, too, loses no message; the 429s it met are counted.
 */
export interface NaiveMessage {
  phone: string;
  name: string;
  text: string;
}

export interface NaiveOutcome {
  messages: number;
  notesCreated: number;
  tooManyRequests: number;
}

export async function runNaiveBaseline(options: {
  apiDomain: string;
  accessToken: string;
  messages: NaiveMessage[];
}): Promise<NaiveOutcome> {
  let tooManyRequests = 0;
  let notesCreated = 0;

  async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
    for (;;) {
      const response = await fetch(`${options.apiDomain}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${options.accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (response.status === 429) {
        tooManyRequests += 1;
        await response.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
        continue;
      }
      if (!response.ok)
        throw new Error(`naive baseline: ${method} ${url} → ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    }
  }

  for (const message of options.messages) {
    const found = await call<{ data: { items: { item: { id: number } }[] } }>(
      'GET',
      `/api/v2/persons/search?term=${encodeURIComponent(message.phone)}&fields=phone`,
    );
    let personId = found.data.items[0]?.item.id;
    if (personId === undefined) {
      const created = await call<{ data: { id: number } }>('POST', '/api/v2/persons', {
        name: message.name,
        phones: [{ value: message.phone, label: 'mobile', primary: true }],
      });
      personId = created.data.id;
    }
    await call('POST', '/api/v1/notes', { content: message.text, person_id: personId });
    notesCreated += 1;
  }
  return { messages: options.messages.length, notesCreated, tooManyRequests };
}
