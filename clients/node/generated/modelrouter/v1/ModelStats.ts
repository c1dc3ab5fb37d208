// Original file: proto/modelrouter/v1/router.proto

import type { HealthState as _modelrouter_v1_HealthState, HealthState__Output as _modelrouter_v1_HealthState__Output } from '../../modelrouter/v1/HealthState';
import type { DeploymentStats as _modelrouter_v1_DeploymentStats, DeploymentStats__Output as _modelrouter_v1_DeploymentStats__Output } from '../../modelrouter/v1/DeploymentStats';
import type { WindowStats as _modelrouter_v1_WindowStats, WindowStats__Output as _modelrouter_v1_WindowStats__Output } from '../../modelrouter/v1/WindowStats';
import type { LearnedQuality as _modelrouter_v1_LearnedQuality, LearnedQuality__Output as _modelrouter_v1_LearnedQuality__Output } from '../../modelrouter/v1/LearnedQuality';
import type { Long } from '@grpc/proto-loader';

/**
 * ModelStats holds one model's figures, summed over its deployments.
 */
export interface ModelStats {
  /**
   * The model id.
   */
  'model'?: (string);
  /**
   * Calls sent to the model's deployments, each retry included; answers
   * served from the response cache are counted in CacheStats instead.
   */
  'requests'?: (number | string | Long);
  /**
   * Calls that succeeded.
   */
  'successes'?: (number | string | Long);
  /**
   * Calls that failed.
   */
  'failures'?: (number | string | Long);
  /**
   * Failures keyed by outcome code.
   */
  'failures_by_reason'?: ({[key: string]: number | string | Long});
  /**
   * Median call latency, in milliseconds.
   */
  'latency_p50_ms'?: (number | string);
  /**
   * 95th percentile call latency, in milliseconds.
   */
  'latency_p95_ms'?: (number | string);
  /**
   * 99th percentile call latency, in milliseconds.
   */
  'latency_p99_ms'?: (number | string);
  /**
   * Median time to first token, in milliseconds.
   */
  'ttft_p50_ms'?: (number | string);
  /**
   * Input tokens consumed.
   */
  'input_tokens'?: (number | string | Long);
  /**
   * Output tokens generated.
   */
  'output_tokens'?: (number | string | Long);
  /**
   * Spend, in USD.
   */
  'cost_usd'?: (number | string);
  /**
   * Calls in flight now.
   */
  'in_flight'?: (number | string | Long);
  /**
   * Times the model was chosen by a selection.
   */
  'selections'?: (number | string | Long);
  /**
   * Live health.
   */
  'health'?: (_modelrouter_v1_HealthState);
  /**
   * The same figures per deployment.
   */
  'deployments'?: (_modelrouter_v1_DeploymentStats)[];
  /**
   * 95th percentile time to first token, in milliseconds.
   */
  'ttft_p95_ms'?: (number | string);
  /**
   * The same figures over the recent window only (StatsResponse.window_s).
   */
  'recent'?: (_modelrouter_v1_WindowStats | null);
  /**
   * The quality learned from feedback, per tenant and task: the tenant the
   * figures are of, or every tenant in an admin's every-tenant view. Only
   * (tenant, task) pairs with scores appear.
   */
  'learned'?: (_modelrouter_v1_LearnedQuality)[];
}

/**
 * ModelStats holds one model's figures, summed over its deployments.
 */
export interface ModelStats__Output {
  /**
   * The model id.
   */
  'model': (string);
  /**
   * Calls sent to the model's deployments, each retry included; answers
   * served from the response cache are counted in CacheStats instead.
   */
  'requests': (string);
  /**
   * Calls that succeeded.
   */
  'successes': (string);
  /**
   * Calls that failed.
   */
  'failures': (string);
  /**
   * Failures keyed by outcome code.
   */
  'failures_by_reason': ({[key: string]: string});
  /**
   * Median call latency, in milliseconds.
   */
  'latency_p50_ms': (number);
  /**
   * 95th percentile call latency, in milliseconds.
   */
  'latency_p95_ms': (number);
  /**
   * 99th percentile call latency, in milliseconds.
   */
  'latency_p99_ms': (number);
  /**
   * Median time to first token, in milliseconds.
   */
  'ttft_p50_ms': (number);
  /**
   * Input tokens consumed.
   */
  'input_tokens': (string);
  /**
   * Output tokens generated.
   */
  'output_tokens': (string);
  /**
   * Spend, in USD.
   */
  'cost_usd': (number);
  /**
   * Calls in flight now.
   */
  'in_flight': (string);
  /**
   * Times the model was chosen by a selection.
   */
  'selections': (string);
  /**
   * Live health.
   */
  'health': (_modelrouter_v1_HealthState__Output);
  /**
   * The same figures per deployment.
   */
  'deployments': (_modelrouter_v1_DeploymentStats__Output)[];
  /**
   * 95th percentile time to first token, in milliseconds.
   */
  'ttft_p95_ms': (number);
  /**
   * The same figures over the recent window only (StatsResponse.window_s).
   */
  'recent': (_modelrouter_v1_WindowStats__Output | null);
  /**
   * The quality learned from feedback, per tenant and task: the tenant the
   * figures are of, or every tenant in an admin's every-tenant view. Only
   * (tenant, task) pairs with scores appear.
   */
  'learned': (_modelrouter_v1_LearnedQuality__Output)[];
}
