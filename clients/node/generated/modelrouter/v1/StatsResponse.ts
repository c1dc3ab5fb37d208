// Original file: proto/modelrouter/v1/router.proto

import type { ModelStats as _modelrouter_v1_ModelStats, ModelStats__Output as _modelrouter_v1_ModelStats__Output } from '../../modelrouter/v1/ModelStats';
import type { CacheStats as _modelrouter_v1_CacheStats, CacheStats__Output as _modelrouter_v1_CacheStats__Output } from '../../modelrouter/v1/CacheStats';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { BudgetStatus as _modelrouter_v1_BudgetStatus, BudgetStatus__Output as _modelrouter_v1_BudgetStatus__Output } from '../../modelrouter/v1/BudgetStatus';
import type { TenantStats as _modelrouter_v1_TenantStats, TenantStats__Output as _modelrouter_v1_TenantStats__Output } from '../../modelrouter/v1/TenantStats';

/**
 * StatsResponse carries the figures.
 */
export interface StatsResponse {
  /**
   * Per model, in registry order.
   */
  'models'?: (_modelrouter_v1_ModelStats)[];
  /**
   * Cache figures.
   */
  'cache'?: (_modelrouter_v1_CacheStats | null);
  /**
   * Advice drawn from the figures, each naming the model or deployment and
   * the figure behind it. Empty when there is nothing to say.
   */
  'suggestions'?: (string)[];
  /**
   * Seconds since the server started.
   */
  'uptime_s'?: (number | string);
  /**
   * The length of the recent window that every `recent` figure covers, in
   * seconds (usage.window_s).
   */
  'window_s'?: (number | string);
  /**
   * The totals (every figure outside `recent`) count from this moment: they
   * are kept in the usage store and survive restarts.
   */
  'totals_since'?: (_google_protobuf_Timestamp | null);
  /**
   * Every configured budget the caller may see, overall first: an admin sees
   * them all, any other caller its own tenant's.
   */
  'budgets'?: (_modelrouter_v1_BudgetStatus)[];
  /**
   * The tenant whose usage the model figures count; empty when they count
   * every tenant's (an admin's Stats without StatsRequest.tenant).
   */
  'tenant'?: (string);
  /**
   * Usage per tenant, by tenant name: every tenant with usage or limits for
   * an admin, the caller's own tenant for anyone else.
   */
  'tenants'?: (_modelrouter_v1_TenantStats)[];
}

/**
 * StatsResponse carries the figures.
 */
export interface StatsResponse__Output {
  /**
   * Per model, in registry order.
   */
  'models': (_modelrouter_v1_ModelStats__Output)[];
  /**
   * Cache figures.
   */
  'cache': (_modelrouter_v1_CacheStats__Output | null);
  /**
   * Advice drawn from the figures, each naming the model or deployment and
   * the figure behind it. Empty when there is nothing to say.
   */
  'suggestions': (string)[];
  /**
   * Seconds since the server started.
   */
  'uptime_s': (number);
  /**
   * The length of the recent window that every `recent` figure covers, in
   * seconds (usage.window_s).
   */
  'window_s': (number);
  /**
   * The totals (every figure outside `recent`) count from this moment: they
   * are kept in the usage store and survive restarts.
   */
  'totals_since': (_google_protobuf_Timestamp__Output | null);
  /**
   * Every configured budget the caller may see, overall first: an admin sees
   * them all, any other caller its own tenant's.
   */
  'budgets': (_modelrouter_v1_BudgetStatus__Output)[];
  /**
   * The tenant whose usage the model figures count; empty when they count
   * every tenant's (an admin's Stats without StatsRequest.tenant).
   */
  'tenant': (string);
  /**
   * Usage per tenant, by tenant name: every tenant with usage or limits for
   * an admin, the caller's own tenant for anyone else.
   */
  'tenants': (_modelrouter_v1_TenantStats__Output)[];
}
