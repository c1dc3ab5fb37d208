// Original file: proto/modelrouter/v1/router.proto

import type { Image as _modelrouter_v1_Image, Image__Output as _modelrouter_v1_Image__Output } from '../../modelrouter/v1/Image';

/**
 * ContentPart is one piece of a message's content.
 */
export interface ContentPart {
  /**
   * A piece of text.
   */
  'text'?: (string);
  /**
   * An image, for a model with the `vision` capability.
   */
  'image'?: (_modelrouter_v1_Image | null);
  /**
   * The piece: text or an image.
   */
  'kind'?: "text"|"image";
}

/**
 * ContentPart is one piece of a message's content.
 */
export interface ContentPart__Output {
  /**
   * A piece of text.
   */
  'text'?: (string);
  /**
   * An image, for a model with the `vision` capability.
   */
  'image'?: (_modelrouter_v1_Image__Output | null);
  /**
   * The piece: text or an image.
   */
  'kind'?: "text"|"image";
}
