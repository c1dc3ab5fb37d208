// Original file: proto/modelrouter/v1/router.proto


/**
 * StatsRequest asks for usage figures.
 */
export interface StatsRequest {
  /**
   * Only these model ids; empty means all.
   */
  'models'?: (string)[];
}

/**
 * StatsRequest asks for usage figures.
 */
export interface StatsRequest__Output {
  /**
   * Only these model ids; empty means all.
   */
  'models': (string)[];
}
