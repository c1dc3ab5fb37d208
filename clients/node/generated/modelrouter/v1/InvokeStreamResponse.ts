// Original file: proto/modelrouter/v1/router.proto

import type { InvokeResponse as _modelrouter_v1_InvokeResponse, InvokeResponse__Output as _modelrouter_v1_InvokeResponse__Output } from '../../modelrouter/v1/InvokeResponse';

/**
 * InvokeStreamResponse is one message of a streamed answer.
 */
export interface InvokeStreamResponse {
  /**
   * The next piece of text.
   */
  'delta'?: (string);
  /**
   * The final summary, sent once at the end: full text, usage, decision
   * and attempts.
   */
  'done'?: (_modelrouter_v1_InvokeResponse | null);
  /**
   * Either the next piece of text or the final summary.
   */
  'event'?: "delta"|"done";
}

/**
 * InvokeStreamResponse is one message of a streamed answer.
 */
export interface InvokeStreamResponse__Output {
  /**
   * The next piece of text.
   */
  'delta'?: (string);
  /**
   * The final summary, sent once at the end: full text, usage, decision
   * and attempts.
   */
  'done'?: (_modelrouter_v1_InvokeResponse__Output | null);
  /**
   * Either the next piece of text or the final summary.
   */
  'event'?: "delta"|"done";
}
