import type { Verification } from './verify.ts';

export interface ChaosReport {
  passed: boolean;
  verification: Verification;
  figures: {
    messagesSent: number;
    chats: number;
    companies: number;
    kills: { web: number; worker: number };
    crashes: number;
    crashLog: string[];
    postgresRestarts: number;
    databaseOutages: number;
    /** Connections the database proxy refused during the outage (Parley tried and failed). */
    databaseRefused: number;
    webhookPosts: number;
    webhookRetries: number;
    webhookDuplicatesInjected: number;
    webhookFailedAttempts: number;
    balancerResets: number;
    pipedriveCalls: number;
    pipedrive429: number;
    pipedrive5xxInjected: number;
    jobRetries: number;
    lost: number;
    duplicated: number;
    sendSeconds: number;
    drainSeconds: number;
    totalSeconds: number;
  };
  workDir: string;
  databaseName: string;
}
