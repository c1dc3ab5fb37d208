import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { AdminServiceClient as _modelrouter_v1_AdminServiceClient, AdminServiceDefinition as _modelrouter_v1_AdminServiceDefinition } from './modelrouter/v1/AdminService';
import type { Attempt as _modelrouter_v1_Attempt, Attempt__Output as _modelrouter_v1_Attempt__Output } from './modelrouter/v1/Attempt';
import type { BudgetStatus as _modelrouter_v1_BudgetStatus, BudgetStatus__Output as _modelrouter_v1_BudgetStatus__Output } from './modelrouter/v1/BudgetStatus';
import type { CacheStats as _modelrouter_v1_CacheStats, CacheStats__Output as _modelrouter_v1_CacheStats__Output } from './modelrouter/v1/CacheStats';
import type { ChatMessage as _modelrouter_v1_ChatMessage, ChatMessage__Output as _modelrouter_v1_ChatMessage__Output } from './modelrouter/v1/ChatMessage';
import type { ContentPart as _modelrouter_v1_ContentPart, ContentPart__Output as _modelrouter_v1_ContentPart__Output } from './modelrouter/v1/ContentPart';
import type { Decision as _modelrouter_v1_Decision, Decision__Output as _modelrouter_v1_Decision__Output } from './modelrouter/v1/Decision';
import type { DeploymentInfo as _modelrouter_v1_DeploymentInfo, DeploymentInfo__Output as _modelrouter_v1_DeploymentInfo__Output } from './modelrouter/v1/DeploymentInfo';
import type { DeploymentStats as _modelrouter_v1_DeploymentStats, DeploymentStats__Output as _modelrouter_v1_DeploymentStats__Output } from './modelrouter/v1/DeploymentStats';
import type { FeedbackRequest as _modelrouter_v1_FeedbackRequest, FeedbackRequest__Output as _modelrouter_v1_FeedbackRequest__Output } from './modelrouter/v1/FeedbackRequest';
import type { FeedbackResponse as _modelrouter_v1_FeedbackResponse, FeedbackResponse__Output as _modelrouter_v1_FeedbackResponse__Output } from './modelrouter/v1/FeedbackResponse';
import type { GetConfigRequest as _modelrouter_v1_GetConfigRequest, GetConfigRequest__Output as _modelrouter_v1_GetConfigRequest__Output } from './modelrouter/v1/GetConfigRequest';
import type { GetConfigResponse as _modelrouter_v1_GetConfigResponse, GetConfigResponse__Output as _modelrouter_v1_GetConfigResponse__Output } from './modelrouter/v1/GetConfigResponse';
import type { Image as _modelrouter_v1_Image, Image__Output as _modelrouter_v1_Image__Output } from './modelrouter/v1/Image';
import type { InvokeRequest as _modelrouter_v1_InvokeRequest, InvokeRequest__Output as _modelrouter_v1_InvokeRequest__Output } from './modelrouter/v1/InvokeRequest';
import type { InvokeResponse as _modelrouter_v1_InvokeResponse, InvokeResponse__Output as _modelrouter_v1_InvokeResponse__Output } from './modelrouter/v1/InvokeResponse';
import type { InvokeStreamRequest as _modelrouter_v1_InvokeStreamRequest, InvokeStreamRequest__Output as _modelrouter_v1_InvokeStreamRequest__Output } from './modelrouter/v1/InvokeStreamRequest';
import type { InvokeStreamResponse as _modelrouter_v1_InvokeStreamResponse, InvokeStreamResponse__Output as _modelrouter_v1_InvokeStreamResponse__Output } from './modelrouter/v1/InvokeStreamResponse';
import type { LearnedQuality as _modelrouter_v1_LearnedQuality, LearnedQuality__Output as _modelrouter_v1_LearnedQuality__Output } from './modelrouter/v1/LearnedQuality';
import type { ListModelsRequest as _modelrouter_v1_ListModelsRequest, ListModelsRequest__Output as _modelrouter_v1_ListModelsRequest__Output } from './modelrouter/v1/ListModelsRequest';
import type { ListModelsResponse as _modelrouter_v1_ListModelsResponse, ListModelsResponse__Output as _modelrouter_v1_ListModelsResponse__Output } from './modelrouter/v1/ListModelsResponse';
import type { ModelInfo as _modelrouter_v1_ModelInfo, ModelInfo__Output as _modelrouter_v1_ModelInfo__Output } from './modelrouter/v1/ModelInfo';
import type { ModelStats as _modelrouter_v1_ModelStats, ModelStats__Output as _modelrouter_v1_ModelStats__Output } from './modelrouter/v1/ModelStats';
import type { Rejection as _modelrouter_v1_Rejection, Rejection__Output as _modelrouter_v1_Rejection__Output } from './modelrouter/v1/Rejection';
import type { ReloadConfigRequest as _modelrouter_v1_ReloadConfigRequest, ReloadConfigRequest__Output as _modelrouter_v1_ReloadConfigRequest__Output } from './modelrouter/v1/ReloadConfigRequest';
import type { ReloadConfigResponse as _modelrouter_v1_ReloadConfigResponse, ReloadConfigResponse__Output as _modelrouter_v1_ReloadConfigResponse__Output } from './modelrouter/v1/ReloadConfigResponse';
import type { Requirements as _modelrouter_v1_Requirements, Requirements__Output as _modelrouter_v1_Requirements__Output } from './modelrouter/v1/Requirements';
import type { ResponseFormat as _modelrouter_v1_ResponseFormat, ResponseFormat__Output as _modelrouter_v1_ResponseFormat__Output } from './modelrouter/v1/ResponseFormat';
import type { RouterServiceClient as _modelrouter_v1_RouterServiceClient, RouterServiceDefinition as _modelrouter_v1_RouterServiceDefinition } from './modelrouter/v1/RouterService';
import type { ScoredModel as _modelrouter_v1_ScoredModel, ScoredModel__Output as _modelrouter_v1_ScoredModel__Output } from './modelrouter/v1/ScoredModel';
import type { SelectRequest as _modelrouter_v1_SelectRequest, SelectRequest__Output as _modelrouter_v1_SelectRequest__Output } from './modelrouter/v1/SelectRequest';
import type { SelectResponse as _modelrouter_v1_SelectResponse, SelectResponse__Output as _modelrouter_v1_SelectResponse__Output } from './modelrouter/v1/SelectResponse';
import type { SetDeploymentStateRequest as _modelrouter_v1_SetDeploymentStateRequest, SetDeploymentStateRequest__Output as _modelrouter_v1_SetDeploymentStateRequest__Output } from './modelrouter/v1/SetDeploymentStateRequest';
import type { SetDeploymentStateResponse as _modelrouter_v1_SetDeploymentStateResponse, SetDeploymentStateResponse__Output as _modelrouter_v1_SetDeploymentStateResponse__Output } from './modelrouter/v1/SetDeploymentStateResponse';
import type { StatsRequest as _modelrouter_v1_StatsRequest, StatsRequest__Output as _modelrouter_v1_StatsRequest__Output } from './modelrouter/v1/StatsRequest';
import type { StatsResponse as _modelrouter_v1_StatsResponse, StatsResponse__Output as _modelrouter_v1_StatsResponse__Output } from './modelrouter/v1/StatsResponse';
import type { TenantStats as _modelrouter_v1_TenantStats, TenantStats__Output as _modelrouter_v1_TenantStats__Output } from './modelrouter/v1/TenantStats';
import type { Tool as _modelrouter_v1_Tool, Tool__Output as _modelrouter_v1_Tool__Output } from './modelrouter/v1/Tool';
import type { ToolCall as _modelrouter_v1_ToolCall, ToolCall__Output as _modelrouter_v1_ToolCall__Output } from './modelrouter/v1/ToolCall';
import type { ToolCallDelta as _modelrouter_v1_ToolCallDelta, ToolCallDelta__Output as _modelrouter_v1_ToolCallDelta__Output } from './modelrouter/v1/ToolCallDelta';
import type { ToolChoice as _modelrouter_v1_ToolChoice, ToolChoice__Output as _modelrouter_v1_ToolChoice__Output } from './modelrouter/v1/ToolChoice';
import type { Usage as _modelrouter_v1_Usage, Usage__Output as _modelrouter_v1_Usage__Output } from './modelrouter/v1/Usage';
import type { WindowStats as _modelrouter_v1_WindowStats, WindowStats__Output as _modelrouter_v1_WindowStats__Output } from './modelrouter/v1/WindowStats';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  modelrouter: {
    v1: {
      /**
       * AdminService changes and shows a running server's configuration.
       */
      AdminService: SubtypeConstructor<typeof grpc.Client, _modelrouter_v1_AdminServiceClient> & { service: _modelrouter_v1_AdminServiceDefinition }
      Attempt: MessageTypeDefinition<_modelrouter_v1_Attempt, _modelrouter_v1_Attempt__Output>
      BudgetStatus: MessageTypeDefinition<_modelrouter_v1_BudgetStatus, _modelrouter_v1_BudgetStatus__Output>
      CachePolicy: EnumTypeDefinition
      CacheStats: MessageTypeDefinition<_modelrouter_v1_CacheStats, _modelrouter_v1_CacheStats__Output>
      ChatMessage: MessageTypeDefinition<_modelrouter_v1_ChatMessage, _modelrouter_v1_ChatMessage__Output>
      ContentPart: MessageTypeDefinition<_modelrouter_v1_ContentPart, _modelrouter_v1_ContentPart__Output>
      Decision: MessageTypeDefinition<_modelrouter_v1_Decision, _modelrouter_v1_Decision__Output>
      DecisionView: EnumTypeDefinition
      DeploymentInfo: MessageTypeDefinition<_modelrouter_v1_DeploymentInfo, _modelrouter_v1_DeploymentInfo__Output>
      DeploymentState: EnumTypeDefinition
      DeploymentStats: MessageTypeDefinition<_modelrouter_v1_DeploymentStats, _modelrouter_v1_DeploymentStats__Output>
      FeedbackRequest: MessageTypeDefinition<_modelrouter_v1_FeedbackRequest, _modelrouter_v1_FeedbackRequest__Output>
      FeedbackResponse: MessageTypeDefinition<_modelrouter_v1_FeedbackResponse, _modelrouter_v1_FeedbackResponse__Output>
      GetConfigRequest: MessageTypeDefinition<_modelrouter_v1_GetConfigRequest, _modelrouter_v1_GetConfigRequest__Output>
      GetConfigResponse: MessageTypeDefinition<_modelrouter_v1_GetConfigResponse, _modelrouter_v1_GetConfigResponse__Output>
      HealthState: EnumTypeDefinition
      Image: MessageTypeDefinition<_modelrouter_v1_Image, _modelrouter_v1_Image__Output>
      InvokeRequest: MessageTypeDefinition<_modelrouter_v1_InvokeRequest, _modelrouter_v1_InvokeRequest__Output>
      InvokeResponse: MessageTypeDefinition<_modelrouter_v1_InvokeResponse, _modelrouter_v1_InvokeResponse__Output>
      InvokeStreamRequest: MessageTypeDefinition<_modelrouter_v1_InvokeStreamRequest, _modelrouter_v1_InvokeStreamRequest__Output>
      InvokeStreamResponse: MessageTypeDefinition<_modelrouter_v1_InvokeStreamResponse, _modelrouter_v1_InvokeStreamResponse__Output>
      LearnedQuality: MessageTypeDefinition<_modelrouter_v1_LearnedQuality, _modelrouter_v1_LearnedQuality__Output>
      ListModelsRequest: MessageTypeDefinition<_modelrouter_v1_ListModelsRequest, _modelrouter_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_modelrouter_v1_ListModelsResponse, _modelrouter_v1_ListModelsResponse__Output>
      ModelInfo: MessageTypeDefinition<_modelrouter_v1_ModelInfo, _modelrouter_v1_ModelInfo__Output>
      ModelStats: MessageTypeDefinition<_modelrouter_v1_ModelStats, _modelrouter_v1_ModelStats__Output>
      Rejection: MessageTypeDefinition<_modelrouter_v1_Rejection, _modelrouter_v1_Rejection__Output>
      ReloadConfigRequest: MessageTypeDefinition<_modelrouter_v1_ReloadConfigRequest, _modelrouter_v1_ReloadConfigRequest__Output>
      ReloadConfigResponse: MessageTypeDefinition<_modelrouter_v1_ReloadConfigResponse, _modelrouter_v1_ReloadConfigResponse__Output>
      Requirements: MessageTypeDefinition<_modelrouter_v1_Requirements, _modelrouter_v1_Requirements__Output>
      ResponseFormat: MessageTypeDefinition<_modelrouter_v1_ResponseFormat, _modelrouter_v1_ResponseFormat__Output>
      ResponseFormatType: EnumTypeDefinition
      /**
       * RouterService picks, calls and measures language models.
       */
      RouterService: SubtypeConstructor<typeof grpc.Client, _modelrouter_v1_RouterServiceClient> & { service: _modelrouter_v1_RouterServiceDefinition }
      ScoredModel: MessageTypeDefinition<_modelrouter_v1_ScoredModel, _modelrouter_v1_ScoredModel__Output>
      SelectRequest: MessageTypeDefinition<_modelrouter_v1_SelectRequest, _modelrouter_v1_SelectRequest__Output>
      SelectResponse: MessageTypeDefinition<_modelrouter_v1_SelectResponse, _modelrouter_v1_SelectResponse__Output>
      SetDeploymentStateRequest: MessageTypeDefinition<_modelrouter_v1_SetDeploymentStateRequest, _modelrouter_v1_SetDeploymentStateRequest__Output>
      SetDeploymentStateResponse: MessageTypeDefinition<_modelrouter_v1_SetDeploymentStateResponse, _modelrouter_v1_SetDeploymentStateResponse__Output>
      StatsRequest: MessageTypeDefinition<_modelrouter_v1_StatsRequest, _modelrouter_v1_StatsRequest__Output>
      StatsResponse: MessageTypeDefinition<_modelrouter_v1_StatsResponse, _modelrouter_v1_StatsResponse__Output>
      TenantStats: MessageTypeDefinition<_modelrouter_v1_TenantStats, _modelrouter_v1_TenantStats__Output>
      Tool: MessageTypeDefinition<_modelrouter_v1_Tool, _modelrouter_v1_Tool__Output>
      ToolCall: MessageTypeDefinition<_modelrouter_v1_ToolCall, _modelrouter_v1_ToolCall__Output>
      ToolCallDelta: MessageTypeDefinition<_modelrouter_v1_ToolCallDelta, _modelrouter_v1_ToolCallDelta__Output>
      ToolChoice: MessageTypeDefinition<_modelrouter_v1_ToolChoice, _modelrouter_v1_ToolChoice__Output>
      ToolChoiceMode: EnumTypeDefinition
      Usage: MessageTypeDefinition<_modelrouter_v1_Usage, _modelrouter_v1_Usage__Output>
      WindowStats: MessageTypeDefinition<_modelrouter_v1_WindowStats, _modelrouter_v1_WindowStats__Output>
    }
  }
}

