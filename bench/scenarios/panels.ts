import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { ensurePanelsBuilt } from '../../scripts/panel-build.ts';
import { postDeliveries } from '../harness/load.ts';
import { inboundNotification, newWamid, signedDelivery } from '../harness/meta-webhooks.ts';
import { ROOT } from '../harness/processes.ts';
import { check, percentile, type Figure, type ScenarioOutcome } from '../harness/report.ts';
import { startStack } from '../harness/stack.ts';
import { until } from '../harness/wait.ts';
import type { ScenarioOptions } from './options.ts';

const SCENARIO = 'Panels';
/** Debian's Chromium; playwright-core never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Gzip size of the JavaScript each extension page loads: its entry script and the chunks it preloads. */
function bundleSizes(): { extension: string; files: string[]; gzipBytes: number; rawBytes: number }[] {
  const dist = path.join(ROOT, 'extensions/dist/extensions');
  const panels = path.join(dist, 'panels');
  return readdirSync(panels).map((extension) => {
    const html = readFileSync(path.join(panels, extension, 'index.html'), 'utf8');
    const files = [...html.matchAll(/(?:src|href)="\/extensions\/(assets\/[^"]+\.js)"/g)].map(
      (match) => match[1] as string,
    );
    const bytes = files.map((file) => readFileSync(path.join(dist, file)));
    return {
      extension,
      files,
      rawBytes: bytes.reduce((sum, content) => sum + content.length, 0),
      gzipBytes: bytes.reduce((sum, content) => sum + gzipSync(content, { level: 9 }).length, 0),
    };
  });
}

/**
 * Reported in the frame's own clock: when the message text first appears in the DOM (a
 * MutationObserver installed before any of the page's scripts run) minus the frame's load event.
 */
const FIRST_RENDER_PROBE = `
(() => {
  if (window.top === window) return;
  const marker = 'panel-render-probe';
  const seen = () => document.body && document.body.textContent.includes(marker);
  new MutationObserver((_, observer) => {
    if (window.__firstChatRenderAt === undefined && seen()) {
      window.__firstChatRenderAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/**
 * Gzip size of each extension's JavaScript; the chat panel in the sandbox's deal page in Chromium,
 * from the iframe's load event to the chat's first message on screen (cold, then warm reloads).
 */
export async function panelsScenario(options: ScenarioOptions): Promise<ScenarioOutcome> {
  await ensurePanelsBuilt(ROOT);
  const sizes = bundleSizes();
  const figures: Figure[] = sizes.map((size) => ({
    scenario: SCENARIO,
    metric: `${size.extension}: JavaScript, gzip`,
    value: size.gzipBytes / 1024,
    unit: 'KB',
    ...(size.extension === 'chat-panel' ? { target: '≤ 25 KB (deal panel)', met: size.gzipBytes <= 25 * 1024 } : {}),
  }));

  const stack = await startStack({ label: 'panels', logDir: options.logDir, runWorkers: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    // María (a seeded customer, the person of deal 0) writes; once her chat is in a note, Parley has
    // linked the chat to her person, so the deal's panel lists it.
    const { number } = stack.channel;
    await postDeliveries({
      url: `${stack.parley.url}/webhooks/whatsapp/${stack.channel.id}`,
      deliveries: [
        {
          ...signedDelivery(
            inboundNotification(number, [
              {
                customer: { waId: '34600111222', name: 'María G.' },
                wamid: newWamid(),
                text: 'Hola! panel-render-probe',
              },
            ]),
            number.appSecret,
          ),
          items: 1,
        },
      ],
      connections: 1,
    });
    await until(
      async () => (await stack.sandbox.call('notesContaining', { pattern: 'panel-render-probe' })).flat().length > 0,
      { timeoutMs: 120_000, everyMs: 250, what: "María's chat linked and in a note" },
    );

    const context = await browser.newContext();
    const [name = '', value = ''] = (await stack.sandbox.call('signInCookie', { userId: stack.admin.userId })).split(
      '=',
    );
    await context.addCookies([{ name, value, url: stack.sandbox.url }]);
    await context.addInitScript(FIRST_RENDER_PROBE);
    const page = await context.newPage();
    const [dealId] = await stack.sandbox.call('demoDealIds');
    const loads = options.smoke ? 2 : 6;
    const renders: number[] = [];
    for (let load = 0; load < loads; load += 1) {
      await page.goto(`${stack.sandbox.url}/deal/${dealId}`);
      const handle = await page.waitForSelector('iframe[data-kind="custom_panel"]', { state: 'attached' });
      const frame = await handle.contentFrame();
      if (frame === null) throw new Error('the chat panel iframe has no frame');
      await frame.waitForFunction(
        () => (window as { __firstChatRenderAt?: number }).__firstChatRenderAt !== undefined,
        undefined,
        {
          timeout: 60_000,
        },
      );
      renders.push(
        await frame.evaluate(() => {
          const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return (window as unknown as { __firstChatRenderAt: number }).__firstChatRenderAt - navigation.loadEventEnd;
        }),
      );
    }
    await context.close();
    const [cold, ...warm] = renders;
    const warmMedian = percentile(warm, 50);
    figures.push(
      {
        scenario: SCENARIO,
        metric: 'chat panel: iframe load → first message rendered, first load',
        value: cold ?? Number.NaN,
        unit: 'ms',
      },
      {
        scenario: SCENARIO,
        metric: `chat panel: iframe load → first message rendered, median of ${warm.length} reloads`,
        value: warmMedian,
        unit: 'ms',
        target: '≤ 300 ms',
        met: warmMedian <= 300,
      },
    );
    return {
      figures,
      checks: [check(SCENARIO, 'panel loads that rendered the chat', loads, renders.length)],
      details: { sizes, renders },
    };
  } finally {
    await browser.close();
    await stack.close();
  }
}
