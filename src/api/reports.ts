import type { AccessTokenClaims } from './verify-access-token.ts';

export interface Report {
  id: number;
  title: string;
  created_by: string;
  client_id: string;
  created_at: string;
}

/** The demo API's data: a few seeded reports plus what callers add, bounded in number. */
export class ReportStore {
  static readonly LIMIT = 1000;
  readonly #reports: Report[] = [
    { id: 1, title: 'Quarterly revenue', created_by: 'alice', client_id: 'seed', created_at: '2026-01-05T09:00:00.000Z' },
    { id: 2, title: 'Weekly sign-ups', created_by: 'bob', client_id: 'seed', created_at: '2026-01-12T09:00:00.000Z' },
  ];

  list(): Report[] {
    return this.#reports;
  }

  /** Undefined when the store is full: a report is refused, never another one dropped. */
  add(title: string, token: AccessTokenClaims): Report | undefined {
    if (this.#reports.length >= ReportStore.LIMIT) return undefined;
    const report = {
      id: this.#reports.length + 1,
      title,
      created_by: token.sub,
      client_id: token.client_id,
      created_at: new Date().toISOString(),
    };
    this.#reports.push(report);
    return report;
  }
}
