// Original file: proto/modelrouter/v1/router.proto

import type { Long } from '@grpc/proto-loader';

/**
 * LearnedQuality is what feedback taught about one model's quality on one task.
 */
export interface LearnedQuality {
  /**
   * The task ("" for requests that named none).
   */
  'task'?: (string);
  /**
   * The learned quality: the posterior mean, in [0, 1], the configured quality
   * counting as a prior.
   */
  'quality'?: (number | string);
  /**
   * Its uncertainty: the posterior standard deviation.
   */
  'uncertainty'?: (number | string);
  /**
   * Scores received (all of them; older ones weigh less as they age).
   */
  'scores'?: (number | string | Long);
  /**
   * The quality the configuration gives this model for this task (the prior).
   */
  'configured_quality'?: (number | string);
  /**
   * The tenant whose scores these are.
   */
  'tenant'?: (string);
}

/**
 * LearnedQuality is what feedback taught about one model's quality on one task.
 */
export interface LearnedQuality__Output {
  /**
   * The task ("" for requests that named none).
   */
  'task': (string);
  /**
   * The learned quality: the posterior mean, in [0, 1], the configured quality
   * counting as a prior.
   */
  'quality': (number);
  /**
   * Its uncertainty: the posterior standard deviation.
   */
  'uncertainty': (number);
  /**
   * Scores received (all of them; older ones weigh less as they age).
   */
  'scores': (string);
  /**
   * The quality the configuration gives this model for this task (the prior).
   */
  'configured_quality': (number);
  /**
   * The tenant whose scores these are.
   */
  'tenant': (string);
}
