import type { DbOrTx } from '../../db/client.ts';
import { createAuditNamesRepository } from '../../db/repositories/audit-names.repository.ts';

interface NamedEntry {
  actor: string;
  subjectType: string | null;
  subjectId: string | null;
  detail: Record<string, unknown>;
}

const MEMBER = /^member:(.+)$/;
const PIPEDRIVE_USER = /^pipedrive_user:(\d+):(\d+)$/;

/**
 * The words for the ids a page of audit entries refers to, keyed as the log writes them:
 * `member:<id>`, `pipedrive_user:<companyId>:<userId>`, `chat:<id>`, `channel:<id>`. Only the
 * workspace's own members, chats and numbers and its company's Pipedrive users are named.
 */
export async function nameAuditReferences(
  db: DbOrTx,
  scope: { workspaceId: string; companyId: number | undefined },
  entries: readonly NamedEntry[],
): Promise<Record<string, string>> {
  const memberIds = new Set<string>();
  const userIds = new Set<number>();
  const chatIds = new Set<string>();
  const channelIds = new Set<string>();
  const pipedriveUser = (value: unknown) => {
    if (typeof value === 'number' && Number.isSafeInteger(value)) userIds.add(value);
  };
  for (const entry of entries) {
    const member = MEMBER.exec(entry.actor);
    if (member?.[1] !== undefined) memberIds.add(member[1]);
    const user = PIPEDRIVE_USER.exec(entry.actor);
    if (user?.[1] !== undefined && Number(user[1]) === scope.companyId) pipedriveUser(Number(user[2]));
    if (entry.subjectId !== null && entry.subjectType === 'chat') chatIds.add(entry.subjectId);
    if (entry.subjectId !== null && entry.subjectType === 'channel') channelIds.add(entry.subjectId);
    if (typeof entry.detail['memberId'] === 'string') memberIds.add(entry.detail['memberId']);
    pipedriveUser(entry.detail['pipedriveUserId']);
    pipedriveUser(entry.detail['ownerId']);
  }

  const repository = createAuditNamesRepository(db);
  const names: Record<string, string> = {};
  for (const [id, name] of await repository.memberNames(scope.workspaceId, memberIds)) names[`member:${id}`] = name;
  if (scope.companyId !== undefined)
    for (const [id, name] of await repository.pipedriveUserNames(scope.companyId, userIds))
      names[`pipedrive_user:${scope.companyId}:${id}`] = name;
  for (const [id, name] of await repository.chatNames(scope.workspaceId, chatIds)) names[`chat:${id}`] = name;
  for (const [id, name] of await repository.channelNames(scope.workspaceId, channelIds)) names[`channel:${id}`] = name;
  return names;
}
