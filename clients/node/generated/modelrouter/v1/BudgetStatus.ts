// Original file: proto/modelrouter/v1/router.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

/**
 * BudgetStatus is one configured spend limit and where it stands.
 */
export interface BudgetStatus {
  /**
   * What the limit covers: a model id, or "*" for all models together.
   */
  'scope'?: (string);
  /**
   * The period: "day" or "month" (UTC calendar periods).
   */
  'period'?: (string);
  /**
   * The limit, in USD.
   */
  'limit_usd'?: (number | string);
  /**
   * Spend settled in the current period, in USD.
   */
  'spent_usd'?: (number | string);
  /**
   * Spend reserved by calls in flight, in USD: an upper bound of their cost.
   */
  'reserved_usd'?: (number | string);
  /**
   * When the current period ends and spend starts again from zero.
   */
  'resets_at'?: (_google_protobuf_Timestamp | null);
  /**
   * The tenant whose budget this is; empty for a budget over every tenant
   * (the configuration's `budgets`).
   */
  'tenant'?: (string);
}

/**
 * BudgetStatus is one configured spend limit and where it stands.
 */
export interface BudgetStatus__Output {
  /**
   * What the limit covers: a model id, or "*" for all models together.
   */
  'scope': (string);
  /**
   * The period: "day" or "month" (UTC calendar periods).
   */
  'period': (string);
  /**
   * The limit, in USD.
   */
  'limit_usd': (number);
  /**
   * Spend settled in the current period, in USD.
   */
  'spent_usd': (number);
  /**
   * Spend reserved by calls in flight, in USD: an upper bound of their cost.
   */
  'reserved_usd': (number);
  /**
   * When the current period ends and spend starts again from zero.
   */
  'resets_at': (_google_protobuf_Timestamp__Output | null);
  /**
   * The tenant whose budget this is; empty for a budget over every tenant
   * (the configuration's `budgets`).
   */
  'tenant': (string);
}
