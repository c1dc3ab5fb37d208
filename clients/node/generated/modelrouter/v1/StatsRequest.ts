// Original file: proto/modelrouter/v1/router.proto


/**
 * StatsRequest asks for usage figures.
 */
export interface StatsRequest {
  /**
   * Only these model ids; empty means all.
   */
  'models'?: (string)[];
  /**
   * Only this tenant's usage. A caller with the admin role may name any
   * tenant (empty: every tenant together); any other caller sees its own
   * tenant's usage only, and naming another tenant is PERMISSION_DENIED.
   */
  'tenant'?: (string);
}

/**
 * StatsRequest asks for usage figures.
 */
export interface StatsRequest__Output {
  /**
   * Only these model ids; empty means all.
   */
  'models': (string)[];
  /**
   * Only this tenant's usage. A caller with the admin role may name any
   * tenant (empty: every tenant together); any other caller sees its own
   * tenant's usage only, and naming another tenant is PERMISSION_DENIED.
   */
  'tenant': (string);
}
