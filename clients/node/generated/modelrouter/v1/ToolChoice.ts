// Original file: proto/modelrouter/v1/router.proto

import type { ToolChoiceMode as _modelrouter_v1_ToolChoiceMode, ToolChoiceMode__Output as _modelrouter_v1_ToolChoiceMode__Output } from '../../modelrouter/v1/ToolChoiceMode';

/**
 * ToolChoice says whether, and which, tool the model must call.
 */
export interface ToolChoice {
  /**
   * Whether a tool must be called.
   */
  'mode'?: (_modelrouter_v1_ToolChoiceMode);
  /**
   * With TOOL_CHOICE_MODE_TOOL: the name of the tool to call, one of the
   * request's `tools`.
   */
  'tool'?: (string);
}

/**
 * ToolChoice says whether, and which, tool the model must call.
 */
export interface ToolChoice__Output {
  /**
   * Whether a tool must be called.
   */
  'mode': (_modelrouter_v1_ToolChoiceMode__Output);
  /**
   * With TOOL_CHOICE_MODE_TOOL: the name of the tool to call, one of the
   * request's `tools`.
   */
  'tool': (string);
}
