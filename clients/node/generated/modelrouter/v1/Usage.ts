// Original file: proto/modelrouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Usage is what a call consumed.
 */
export interface Usage {
  /**
   * Prompt tokens, as the provider reported them or as estimated.
   */
  'input_tokens'?: (number | string | Long);
  /**
   * Generated tokens, as the provider reported them or as estimated.
   */
  'output_tokens'?: (number | string | Long);
  /**
   * The cost by the model's pricing, in USD.
   */
  'cost_usd'?: (number | string);
}

/**
 * Usage is what a call consumed.
 */
export interface Usage__Output {
  /**
   * Prompt tokens, as the provider reported them or as estimated.
   */
  'input_tokens': (string);
  /**
   * Generated tokens, as the provider reported them or as estimated.
   */
  'output_tokens': (string);
  /**
   * The cost by the model's pricing, in USD.
   */
  'cost_usd': (number);
}
