// Original file: proto/modelrouter/v1/router.proto

/**
 * DecisionView says how much of the selection decision an Invoke answer
 * carries (AIP-157).
 */
export const DecisionView = {
  /**
   * As DECISION_VIEW_BASIC.
   */
  DECISION_VIEW_UNSPECIFIED: 'DECISION_VIEW_UNSPECIFIED',
  /**
   * The chosen model, deployment, strategy and estimates: the ranking holds
   * the chosen model's entry only, and no rejections.
   */
  DECISION_VIEW_BASIC: 'DECISION_VIEW_BASIC',
  /**
   * Everything Select answers: the ranking and every rejection too.
   */
  DECISION_VIEW_FULL: 'DECISION_VIEW_FULL',
} as const;

/**
 * DecisionView says how much of the selection decision an Invoke answer
 * carries (AIP-157).
 */
export type DecisionView =
  /**
   * As DECISION_VIEW_BASIC.
   */
  | 'DECISION_VIEW_UNSPECIFIED'
  | 0
  /**
   * The chosen model, deployment, strategy and estimates: the ranking holds
   * the chosen model's entry only, and no rejections.
   */
  | 'DECISION_VIEW_BASIC'
  | 1
  /**
   * Everything Select answers: the ranking and every rejection too.
   */
  | 'DECISION_VIEW_FULL'
  | 2

/**
 * DecisionView says how much of the selection decision an Invoke answer
 * carries (AIP-157).
 */
export type DecisionView__Output = typeof DecisionView[keyof typeof DecisionView]
