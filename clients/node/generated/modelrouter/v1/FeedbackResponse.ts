// Original file: proto/modelrouter/v1/router.proto


/**
 * FeedbackResponse acknowledges a score: it is counted.
 */
export interface FeedbackResponse {
}

/**
 * FeedbackResponse acknowledges a score: it is counted.
 */
export interface FeedbackResponse__Output {
}
