export * from './workspaces.table.ts';
export * from './pipedrive.table.ts';
export * from './whatsapp.table.ts';
export * from './sync.table.ts';
export * from './security.table.ts';
export * from './identity.table.ts';
