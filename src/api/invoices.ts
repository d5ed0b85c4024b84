// The Billing API's data: a few invoices per demo user, read-only. Each caller sees only the
// invoices of the subject its token names.
export interface Invoice {
  id: string;
  customer: string;
  amount: string;
  currency: string;
  issued_at: string;
  status: 'paid' | 'due';
}

const INVOICES: readonly Invoice[] = [
  { id: 'INV-1001', customer: 'alice', amount: '120.00', currency: 'EUR', issued_at: '2026-01-31', status: 'paid' },
  { id: 'INV-1002', customer: 'alice', amount: '80.50', currency: 'EUR', issued_at: '2026-02-28', status: 'due' },
  { id: 'INV-2001', customer: 'bob', amount: '42.00', currency: 'EUR', issued_at: '2026-02-28', status: 'paid' },
];

export function invoicesOf(subject: string): Invoice[] {
  return INVOICES.filter((invoice) => invoice.customer === subject);
}
