import { bigint, timestamp } from 'drizzle-orm/pg-core';

/** `created_at` / `updated_at` on every table (timestamptz; `updated_at` maintained by repositories). */
export const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** Pipedrive ids (company, user, person, deal, note…) are integers that may outgrow int4. */
export const pipedriveId = (name: string) => bigint(name, { mode: 'number' });
