/** The statistics as the dashboard shows them: questions officials already handled leave the review list. */
import type { StatsStore } from '../stats/store.js';
import type { ReviewService } from './service.js';

/** Rows asked for beyond the limit, so that hiding handled questions still fills the list. */
const EXTRA_ROWS = 500;

export function withoutReviewed(store: StatsStore, review: ReviewService): StatsStore {
  const reviewQuestions: StatsStore['reviewQuestions'] = async (range, limit) => {
    // Changes made on another instance count too; a failed read shows the list as last known.
    await review.refresh().catch(() => undefined);
    const rows = await store.reviewQuestions(range, limit + EXTRA_ROWS);
    return rows.filter((r) => !review.isReviewed(r)).slice(0, limit);
  };
  // Every other method is the store's own, called on the store itself.
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'reviewQuestions') return reviewQuestions;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
