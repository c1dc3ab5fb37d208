// Original file: proto/modelrouter/v1/router.proto


/**
 * ListModelsRequest asks for the registry.
 */
export interface ListModelsRequest {
}

/**
 * ListModelsRequest asks for the registry.
 */
export interface ListModelsRequest__Output {
}
