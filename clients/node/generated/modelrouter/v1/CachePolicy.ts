// Original file: proto/modelrouter/v1/router.proto

/**
 * CachePolicy says how a call uses the response cache.
 */
export const CachePolicy = {
  /**
   * The server's configured default (cache.default_policy).
   */
  CACHE_POLICY_UNSPECIFIED: 'CACHE_POLICY_UNSPECIFIED',
  /**
   * Serve from the cache when possible and store the answer, whatever the
   * temperature.
   */
  CACHE_POLICY_USE: 'CACHE_POLICY_USE',
  /**
   * Neither read nor write the cache.
   */
  CACHE_POLICY_BYPASS: 'CACHE_POLICY_BYPASS',
  /**
   * Do not read the cache; store the fresh answer.
   */
  CACHE_POLICY_REFRESH: 'CACHE_POLICY_REFRESH',
} as const;

/**
 * CachePolicy says how a call uses the response cache.
 */
export type CachePolicy =
  /**
   * The server's configured default (cache.default_policy).
   */
  | 'CACHE_POLICY_UNSPECIFIED'
  | 0
  /**
   * Serve from the cache when possible and store the answer, whatever the
   * temperature.
   */
  | 'CACHE_POLICY_USE'
  | 1
  /**
   * Neither read nor write the cache.
   */
  | 'CACHE_POLICY_BYPASS'
  | 2
  /**
   * Do not read the cache; store the fresh answer.
   */
  | 'CACHE_POLICY_REFRESH'
  | 3

/**
 * CachePolicy says how a call uses the response cache.
 */
export type CachePolicy__Output = typeof CachePolicy[keyof typeof CachePolicy]
