// Original file: proto/modelrouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

/**
 * WindowStats holds a model's or deployment's figures over the recent window.
 * Percentiles come from a mergeable quantile sketch (DDSketch, 1% relative
 * accuracy), so they are exact to within 1% of the value.
 */
export interface WindowStats {
  /**
   * Calls sent, each retry included.
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
   * 95th percentile time to first token, in milliseconds.
   */
  'ttft_p95_ms'?: (number | string);
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
   * Times chosen by a selection.
   */
  'selections'?: (number | string | Long);
}

/**
 * WindowStats holds a model's or deployment's figures over the recent window.
 * Percentiles come from a mergeable quantile sketch (DDSketch, 1% relative
 * accuracy), so they are exact to within 1% of the value.
 */
export interface WindowStats__Output {
  /**
   * Calls sent, each retry included.
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
   * 95th percentile time to first token, in milliseconds.
   */
  'ttft_p95_ms': (number);
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
   * Times chosen by a selection.
   */
  'selections': (string);
}
