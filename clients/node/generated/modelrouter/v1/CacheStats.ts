// Original file: proto/modelrouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

/**
 * CacheStats holds the response and selection caches' figures.
 */
export interface CacheStats {
  /**
   * Response cache hits.
   */
  'hits'?: (number | string | Long);
  /**
   * Response cache misses.
   */
  'misses'?: (number | string | Long);
  /**
   * Entries in the response cache now.
   */
  'entries'?: (number | string | Long);
  /**
   * Bytes held by the response cache now.
   */
  'bytes'?: (number | string | Long);
  /**
   * Entries evicted from the response cache to stay within its bound.
   */
  'evictions'?: (number | string | Long);
  /**
   * Selections answered from the selection cache.
   */
  'selection_hits'?: (number | string | Long);
  /**
   * Selections computed afresh.
   */
  'selection_misses'?: (number | string | Long);
  /**
   * Entries in the selection cache now.
   */
  'selection_entries'?: (number | string | Long);
}

/**
 * CacheStats holds the response and selection caches' figures.
 */
export interface CacheStats__Output {
  /**
   * Response cache hits.
   */
  'hits': (string);
  /**
   * Response cache misses.
   */
  'misses': (string);
  /**
   * Entries in the response cache now.
   */
  'entries': (string);
  /**
   * Bytes held by the response cache now.
   */
  'bytes': (string);
  /**
   * Entries evicted from the response cache to stay within its bound.
   */
  'evictions': (string);
  /**
   * Selections answered from the selection cache.
   */
  'selection_hits': (string);
  /**
   * Selections computed afresh.
   */
  'selection_misses': (string);
  /**
   * Entries in the selection cache now.
   */
  'selection_entries': (string);
}
