// Original file: proto/modelrouter/v1/router.proto

import type { InvokeResponse as _modelrouter_v1_InvokeResponse, InvokeResponse__Output as _modelrouter_v1_InvokeResponse__Output } from '../../modelrouter/v1/InvokeResponse';
import type { ToolCallDelta as _modelrouter_v1_ToolCallDelta, ToolCallDelta__Output as _modelrouter_v1_ToolCallDelta__Output } from '../../modelrouter/v1/ToolCallDelta';

/**
 * InvokeStreamResponse is one message of a streamed answer.
 */
export interface InvokeStreamResponse {
  /**
   * The next piece of text: at most 64 KiB of UTF-8. A longer piece from
   * the provider arrives as several deltas, cut between characters.
   */
  'delta'?: (string);
  /**
   * The final summary, sent once at the end: usage, decision and attempts.
   * Its `text` is always empty: the deltas, joined in order, are the whole
   * text. (Repeating it would make this one message as large as the answer,
   * which may be larger than a client's receive limit, 4 MiB by default.)
   */
  'done'?: (_modelrouter_v1_InvokeResponse | null);
  /**
   * A piece of a tool call: the first piece of each call has its id and
   * name, later ones more of its arguments. Pieces of one call share its
   * `index`; `done` carries every call whole.
   */
  'tool_call'?: (_modelrouter_v1_ToolCallDelta | null);
  /**
   * Either the next piece of text or the final summary.
   */
  'event'?: "delta"|"done"|"tool_call";
}

/**
 * InvokeStreamResponse is one message of a streamed answer.
 */
export interface InvokeStreamResponse__Output {
  /**
   * The next piece of text: at most 64 KiB of UTF-8. A longer piece from
   * the provider arrives as several deltas, cut between characters.
   */
  'delta'?: (string);
  /**
   * The final summary, sent once at the end: usage, decision and attempts.
   * Its `text` is always empty: the deltas, joined in order, are the whole
   * text. (Repeating it would make this one message as large as the answer,
   * which may be larger than a client's receive limit, 4 MiB by default.)
   */
  'done'?: (_modelrouter_v1_InvokeResponse__Output | null);
  /**
   * A piece of a tool call: the first piece of each call has its id and
   * name, later ones more of its arguments. Pieces of one call share its
   * `index`; `done` carries every call whole.
   */
  'tool_call'?: (_modelrouter_v1_ToolCallDelta__Output | null);
  /**
   * Either the next piece of text or the final summary.
   */
  'event'?: "delta"|"done"|"tool_call";
}
