import { describe, expect, it } from 'vitest';
import { newer, percent, type Job } from './pages/jobs';

const job = (over: Partial<Job>): Job => ({
  id: 1,
  kind: 'k',
  status: 'running',
  attempts: 1,
  max_attempts: 8,
  run_at: '2026-12-01T10:00:00.000Z',
  progress: null,
  last_error: null,
  payload: {},
  result: null,
  lease_until: null,
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
  finished_at: null,
  ...over,
});

describe('jobs page', () => {
  it('shows progress as a rounded percentage, 100 once done, none when the total is unknown', () => {
    expect(percent(job({ progress: { done: 1, total: 3 } }))).toBe(33);
    expect(percent(job({ progress: { done: 5, total: 0 } }))).toBeNull();
    expect(percent(job({ progress: null }))).toBeNull();
    expect(percent(job({ status: 'done', progress: { done: 2, total: 4 } }))).toBe(100);
    expect(percent(job({ progress: { done: 9, total: 4 } }))).toBe(100);
  });
  it('keeps the newer state when a list page and a stream event cross', () => {
    const old = job({ updated_at: '2026-12-01T10:00:00.000Z', status: 'queued' });
    const fresh = job({ updated_at: '2026-12-01T10:00:01.000Z', status: 'running' });
    expect(newer(undefined, old)).toBe(old);
    expect(newer(fresh, old)).toBe(fresh);
    expect(newer(old, fresh)).toBe(fresh);
  });
});
