// Original file: proto/modelrouter/v1/router.proto

/**
 * ToolChoiceMode says whether the model must call a tool.
 */
export const ToolChoiceMode = {
  /**
   * The model decides (as TOOL_CHOICE_MODE_AUTO).
   */
  TOOL_CHOICE_MODE_UNSPECIFIED: 'TOOL_CHOICE_MODE_UNSPECIFIED',
  /**
   * The model decides whether to call a tool.
   */
  TOOL_CHOICE_MODE_AUTO: 'TOOL_CHOICE_MODE_AUTO',
  /**
   * The model must not call a tool.
   */
  TOOL_CHOICE_MODE_NONE: 'TOOL_CHOICE_MODE_NONE',
  /**
   * The model must call at least one tool.
   */
  TOOL_CHOICE_MODE_REQUIRED: 'TOOL_CHOICE_MODE_REQUIRED',
  /**
   * The model must call the tool named in ToolChoice.tool.
   */
  TOOL_CHOICE_MODE_TOOL: 'TOOL_CHOICE_MODE_TOOL',
} as const;

/**
 * ToolChoiceMode says whether the model must call a tool.
 */
export type ToolChoiceMode =
  /**
   * The model decides (as TOOL_CHOICE_MODE_AUTO).
   */
  | 'TOOL_CHOICE_MODE_UNSPECIFIED'
  | 0
  /**
   * The model decides whether to call a tool.
   */
  | 'TOOL_CHOICE_MODE_AUTO'
  | 1
  /**
   * The model must not call a tool.
   */
  | 'TOOL_CHOICE_MODE_NONE'
  | 2
  /**
   * The model must call at least one tool.
   */
  | 'TOOL_CHOICE_MODE_REQUIRED'
  | 3
  /**
   * The model must call the tool named in ToolChoice.tool.
   */
  | 'TOOL_CHOICE_MODE_TOOL'
  | 4

/**
 * ToolChoiceMode says whether the model must call a tool.
 */
export type ToolChoiceMode__Output = typeof ToolChoiceMode[keyof typeof ToolChoiceMode]
