/**
 * Who did something, as the audit log records it. One format, made only by these constructors:
 * `member:<member uuid>` (a dashboard member), `pipedrive_user:<companyId>:<userId>` (a Pipedrive
 * user, in a panel or through Pipedrive's callbacks), `pipedrive` (Pipedrive itself, e.g. a refused
 * refresh), `system` (Parley's own jobs).
 */
export type Actor = `member:${string}` | `pipedrive_user:${number}:${number}` | 'pipedrive' | 'system';

export const actors = {
  member: (memberId: string): Actor => `member:${memberId}`,
  pipedriveUser: (companyId: number, userId: number): Actor => `pipedrive_user:${companyId}:${userId}`,
  pipedrive: 'pipedrive',
  system: 'system',
} as const satisfies Record<string, Actor | ((...args: never[]) => Actor)>;
