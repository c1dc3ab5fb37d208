// Original file: proto/modelrouter/v1/router.proto


/**
 * FeedbackRequest scores the answer a decision led to.
 */
export interface FeedbackRequest {
  /**
   * The `Decision.decision_id` of a Select or Invoke answer.
   */
  'decision_id'?: (string);
  /**
   * How good the answer was, in [0, 1]: 1 best (thumbs up and down are 1 and
   * 0). It is credited to the model that decision chose (for an Invoke that
   * fell back, the model that answered), under the decision's task and the
   * caller's tenant.
   */
  'score'?: (number | string);
}

/**
 * FeedbackRequest scores the answer a decision led to.
 */
export interface FeedbackRequest__Output {
  /**
   * The `Decision.decision_id` of a Select or Invoke answer.
   */
  'decision_id': (string);
  /**
   * How good the answer was, in [0, 1]: 1 best (thumbs up and down are 1 and
   * 0). It is credited to the model that decision chose (for an Invoke that
   * fell back, the model that answered), under the decision's task and the
   * caller's tenant.
   */
  'score': (number);
}
