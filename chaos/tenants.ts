import type pg from 'pg';
import type { Sandbox } from '../sandbox/index.ts';
import type { SandboxBusinessNumber } from '../sandbox/whatsapp/emulator.ts';
import { createDashboardClient } from './parley-client.ts';
import type { ChaosChat } from './verify.ts';

/**
 * Three tenants: the seed's two Pipedrive companies plus a third, each with its own WhatsApp number.
 * Each admin installs Parley (a workspace each), adds the number and points Meta's webhook at it;
 * new chats create a person and a deal. Returns the chats, spread over the companies.
 */
export async function setUpCompanies(
  sandbox: Sandbox,
  pool: pg.Pool,
  publicUrl: string,
  clientId: string,
  options: { companies: number; chats: number; log: (line: string) => void },
): Promise<ChaosChat[]> {
  const { pipedrive, whatsapp } = sandbox;
  const third = pipedrive.addCompany({
    name: 'Initech',
    domain: 'initech',
    plan: 'growth',
    users: [{ name: 'Ivy Initech', email: 'ivy@initech.test', isAdmin: true }],
    persons: [],
    deals: [],
  });
  const thirdNumber = whatsapp.addBusinessNumber({ name: 'Initech Help', displayPhoneNumber: '15550144870' });
  const tenants: { admin: { id: number; companyId: number }; number: SandboxBusinessNumber }[] = [
    { admin: pipedrive.seed.demo.admin, number: whatsapp.numbers[0] as SandboxBusinessNumber },
    { admin: pipedrive.seed.other.admin, number: whatsapp.numbers[1] as SandboxBusinessNumber },
    { admin: third.admin, number: thirdNumber },
  ].slice(0, Math.max(1, Math.min(3, options.companies)));

  for (const { admin, number } of tenants) {
    const dashboard = createDashboardClient(publicUrl);
    await dashboard.install(pipedrive.createAuthorizationCode({ clientId, userId: admin.id }).code);
    const channel = await dashboard.addChannel({
      phoneNumberId: number.phoneNumberId,
      wabaId: number.wabaId,
      accessToken: number.accessToken,
      appSecret: number.appSecret,
    });
    const verification = await whatsapp.configureWebhook({
      appId: number.appId,
      callbackUrl: channel.webhookUrl,
      verifyToken: channel.verifyToken ?? '',
    });
    if (!verification.ok) throw new Error(`webhook verification failed: ${JSON.stringify(verification)}`);
    // What the admin picks on the app-settings page: a deal for every new chat.
    await pool.query(
      `insert into company_settings (company_id, settings) values ($1, $2)
         on conflict (company_id) do update set settings = excluded.settings`,
      [admin.companyId, JSON.stringify({ createOnNewChat: 'deal' })],
    );
  }
  options.log(`${tenants.length} companies installed, each with a WhatsApp number`);

  if (options.chats > 1000) throw new Error('at most 1,000 chats (customer numbers +44 7700 900000–900999)');
  return Array.from({ length: options.chats }, (_, index): ChaosChat => {
    const tenant = tenants[index % tenants.length] as (typeof tenants)[number];
    return {
      index,
      // Ofcom's range for drama: valid UK mobiles that belong to nobody.
      waId: `447700900${String(index).padStart(3, '0')}`,
      name: `Chaos Customer ${index}`,
      phoneNumberId: tenant.number.phoneNumberId,
      companyId: tenant.admin.companyId,
    };
  });
}
