// Original file: proto/modelrouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

/**
 * TenantStats holds one tenant's usage and where it stands against its rate
 * limits.
 */
export interface TenantStats {
  /**
   * The tenant's name, from the configuration; empty for calls made without
   * a key (a server with no API keys configured).
   */
  'tenant'?: (string);
  /**
   * Calls sent to models for this tenant, each retry included.
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
   * Requests (Select, Invoke, InvokeStream) admitted over the last minute.
   */
  'requests_last_minute'?: (number | string | Long);
  /**
   * Tokens counted against the tokens-per-minute limit over the last minute.
   */
  'tokens_last_minute'?: (number | string | Long);
  /**
   * The tenant's requests_per_minute limit; 0: none.
   */
  'requests_per_minute'?: (number | string | Long);
  /**
   * The tenant's tokens_per_minute limit; 0: none.
   */
  'tokens_per_minute'?: (number | string | Long);
}

/**
 * TenantStats holds one tenant's usage and where it stands against its rate
 * limits.
 */
export interface TenantStats__Output {
  /**
   * The tenant's name, from the configuration; empty for calls made without
   * a key (a server with no API keys configured).
   */
  'tenant': (string);
  /**
   * Calls sent to models for this tenant, each retry included.
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
   * Requests (Select, Invoke, InvokeStream) admitted over the last minute.
   */
  'requests_last_minute': (string);
  /**
   * Tokens counted against the tokens-per-minute limit over the last minute.
   */
  'tokens_last_minute': (string);
  /**
   * The tenant's requests_per_minute limit; 0: none.
   */
  'requests_per_minute': (string);
  /**
   * The tenant's tokens_per_minute limit; 0: none.
   */
  'tokens_per_minute': (string);
}
