package dev.modelrouter.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * RouterService picks, calls and measures language models.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: modelrouter/v1/router.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class RouterServiceGrpc {

  private RouterServiceGrpc() {}

  public static final String SERVICE_NAME = "modelrouter.v1.RouterService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.SelectRequest,
      dev.modelrouter.v1.SelectResponse> getSelectMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Select",
      requestType = dev.modelrouter.v1.SelectRequest.class,
      responseType = dev.modelrouter.v1.SelectResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.SelectRequest,
      dev.modelrouter.v1.SelectResponse> getSelectMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.SelectRequest, dev.modelrouter.v1.SelectResponse> getSelectMethod;
    if ((getSelectMethod = RouterServiceGrpc.getSelectMethod) == null) {
      synchronized (RouterServiceGrpc.class) {
        if ((getSelectMethod = RouterServiceGrpc.getSelectMethod) == null) {
          RouterServiceGrpc.getSelectMethod = getSelectMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.SelectRequest, dev.modelrouter.v1.SelectResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Select"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.SelectRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.SelectResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RouterServiceMethodDescriptorSupplier("Select"))
              .build();
        }
      }
    }
    return getSelectMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.InvokeRequest,
      dev.modelrouter.v1.InvokeResponse> getInvokeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Invoke",
      requestType = dev.modelrouter.v1.InvokeRequest.class,
      responseType = dev.modelrouter.v1.InvokeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.InvokeRequest,
      dev.modelrouter.v1.InvokeResponse> getInvokeMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.InvokeRequest, dev.modelrouter.v1.InvokeResponse> getInvokeMethod;
    if ((getInvokeMethod = RouterServiceGrpc.getInvokeMethod) == null) {
      synchronized (RouterServiceGrpc.class) {
        if ((getInvokeMethod = RouterServiceGrpc.getInvokeMethod) == null) {
          RouterServiceGrpc.getInvokeMethod = getInvokeMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.InvokeRequest, dev.modelrouter.v1.InvokeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Invoke"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.InvokeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.InvokeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RouterServiceMethodDescriptorSupplier("Invoke"))
              .build();
        }
      }
    }
    return getInvokeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.InvokeStreamRequest,
      dev.modelrouter.v1.InvokeStreamResponse> getInvokeStreamMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "InvokeStream",
      requestType = dev.modelrouter.v1.InvokeStreamRequest.class,
      responseType = dev.modelrouter.v1.InvokeStreamResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.InvokeStreamRequest,
      dev.modelrouter.v1.InvokeStreamResponse> getInvokeStreamMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.InvokeStreamRequest, dev.modelrouter.v1.InvokeStreamResponse> getInvokeStreamMethod;
    if ((getInvokeStreamMethod = RouterServiceGrpc.getInvokeStreamMethod) == null) {
      synchronized (RouterServiceGrpc.class) {
        if ((getInvokeStreamMethod = RouterServiceGrpc.getInvokeStreamMethod) == null) {
          RouterServiceGrpc.getInvokeStreamMethod = getInvokeStreamMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.InvokeStreamRequest, dev.modelrouter.v1.InvokeStreamResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "InvokeStream"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.InvokeStreamRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.InvokeStreamResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RouterServiceMethodDescriptorSupplier("InvokeStream"))
              .build();
        }
      }
    }
    return getInvokeStreamMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.StatsRequest,
      dev.modelrouter.v1.StatsResponse> getStatsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Stats",
      requestType = dev.modelrouter.v1.StatsRequest.class,
      responseType = dev.modelrouter.v1.StatsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.StatsRequest,
      dev.modelrouter.v1.StatsResponse> getStatsMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.StatsRequest, dev.modelrouter.v1.StatsResponse> getStatsMethod;
    if ((getStatsMethod = RouterServiceGrpc.getStatsMethod) == null) {
      synchronized (RouterServiceGrpc.class) {
        if ((getStatsMethod = RouterServiceGrpc.getStatsMethod) == null) {
          RouterServiceGrpc.getStatsMethod = getStatsMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.StatsRequest, dev.modelrouter.v1.StatsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Stats"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.StatsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.StatsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RouterServiceMethodDescriptorSupplier("Stats"))
              .build();
        }
      }
    }
    return getStatsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.ListModelsRequest,
      dev.modelrouter.v1.ListModelsResponse> getListModelsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListModels",
      requestType = dev.modelrouter.v1.ListModelsRequest.class,
      responseType = dev.modelrouter.v1.ListModelsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.ListModelsRequest,
      dev.modelrouter.v1.ListModelsResponse> getListModelsMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.ListModelsRequest, dev.modelrouter.v1.ListModelsResponse> getListModelsMethod;
    if ((getListModelsMethod = RouterServiceGrpc.getListModelsMethod) == null) {
      synchronized (RouterServiceGrpc.class) {
        if ((getListModelsMethod = RouterServiceGrpc.getListModelsMethod) == null) {
          RouterServiceGrpc.getListModelsMethod = getListModelsMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.ListModelsRequest, dev.modelrouter.v1.ListModelsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListModels"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.ListModelsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.ListModelsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RouterServiceMethodDescriptorSupplier("ListModels"))
              .build();
        }
      }
    }
    return getListModelsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.FeedbackRequest,
      dev.modelrouter.v1.FeedbackResponse> getFeedbackMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Feedback",
      requestType = dev.modelrouter.v1.FeedbackRequest.class,
      responseType = dev.modelrouter.v1.FeedbackResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.FeedbackRequest,
      dev.modelrouter.v1.FeedbackResponse> getFeedbackMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.FeedbackRequest, dev.modelrouter.v1.FeedbackResponse> getFeedbackMethod;
    if ((getFeedbackMethod = RouterServiceGrpc.getFeedbackMethod) == null) {
      synchronized (RouterServiceGrpc.class) {
        if ((getFeedbackMethod = RouterServiceGrpc.getFeedbackMethod) == null) {
          RouterServiceGrpc.getFeedbackMethod = getFeedbackMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.FeedbackRequest, dev.modelrouter.v1.FeedbackResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Feedback"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.FeedbackRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.FeedbackResponse.getDefaultInstance()))
              .setSchemaDescriptor(new RouterServiceMethodDescriptorSupplier("Feedback"))
              .build();
        }
      }
    }
    return getFeedbackMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static RouterServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RouterServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RouterServiceStub>() {
        @java.lang.Override
        public RouterServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RouterServiceStub(channel, callOptions);
        }
      };
    return RouterServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static RouterServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RouterServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RouterServiceBlockingStub>() {
        @java.lang.Override
        public RouterServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RouterServiceBlockingStub(channel, callOptions);
        }
      };
    return RouterServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static RouterServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<RouterServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<RouterServiceFutureStub>() {
        @java.lang.Override
        public RouterServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new RouterServiceFutureStub(channel, callOptions);
        }
      };
    return RouterServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * RouterService picks, calls and measures language models.
   * </pre>
   */
  public static abstract class RouterServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Select picks a model and deployment for a request and calls nothing.
     * </pre>
     */
    public void select(dev.modelrouter.v1.SelectRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.SelectResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSelectMethod(), responseObserver);
    }

    /**
     * <pre>
     * Invoke selects a model, calls its provider (through the response cache,
     * retries and fallback) and returns the completion.
     * </pre>
     */
    public void invoke(dev.modelrouter.v1.InvokeRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.InvokeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getInvokeMethod(), responseObserver);
    }

    /**
     * <pre>
     * InvokeStream does what Invoke does and streams the text as it arrives:
     * zero or more `delta` messages, which joined are the whole text, then
     * exactly one `done` summary (whose `text` is empty).
     * </pre>
     */
    public void invokeStream(dev.modelrouter.v1.InvokeStreamRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.InvokeStreamResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getInvokeStreamMethod(), responseObserver);
    }

    /**
     * <pre>
     * Stats reports usage figures per model and deployment, cache figures and
     * advice drawn from them.
     * </pre>
     */
    public void stats(dev.modelrouter.v1.StatsRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.StatsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getStatsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListModels returns the registry: every model, its live health, and the
     * registered strategies.
     * </pre>
     */
    public void listModels(dev.modelrouter.v1.ListModelsRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.ListModelsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListModelsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Feedback scores the answer of one decision (by its `decision_id`): the
     * `learned` strategy learns each model's quality per tenant and task from
     * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
     * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
     * </pre>
     */
    public void feedback(dev.modelrouter.v1.FeedbackRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.FeedbackResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFeedbackMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getSelectMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.SelectRequest,
                dev.modelrouter.v1.SelectResponse>(
                  this, METHODID_SELECT)))
          .addMethod(
            getInvokeMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.InvokeRequest,
                dev.modelrouter.v1.InvokeResponse>(
                  this, METHODID_INVOKE)))
          .addMethod(
            getInvokeStreamMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                dev.modelrouter.v1.InvokeStreamRequest,
                dev.modelrouter.v1.InvokeStreamResponse>(
                  this, METHODID_INVOKE_STREAM)))
          .addMethod(
            getStatsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.StatsRequest,
                dev.modelrouter.v1.StatsResponse>(
                  this, METHODID_STATS)))
          .addMethod(
            getListModelsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.ListModelsRequest,
                dev.modelrouter.v1.ListModelsResponse>(
                  this, METHODID_LIST_MODELS)))
          .addMethod(
            getFeedbackMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.FeedbackRequest,
                dev.modelrouter.v1.FeedbackResponse>(
                  this, METHODID_FEEDBACK)))
          .build();
    }
  }

  /**
   * <pre>
   * RouterService picks, calls and measures language models.
   * </pre>
   */
  public static final class RouterServiceStub extends io.grpc.stub.AbstractAsyncStub<RouterServiceStub> {
    private RouterServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RouterServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RouterServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Select picks a model and deployment for a request and calls nothing.
     * </pre>
     */
    public void select(dev.modelrouter.v1.SelectRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.SelectResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSelectMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Invoke selects a model, calls its provider (through the response cache,
     * retries and fallback) and returns the completion.
     * </pre>
     */
    public void invoke(dev.modelrouter.v1.InvokeRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.InvokeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getInvokeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * InvokeStream does what Invoke does and streams the text as it arrives:
     * zero or more `delta` messages, which joined are the whole text, then
     * exactly one `done` summary (whose `text` is empty).
     * </pre>
     */
    public void invokeStream(dev.modelrouter.v1.InvokeStreamRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.InvokeStreamResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getInvokeStreamMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Stats reports usage figures per model and deployment, cache figures and
     * advice drawn from them.
     * </pre>
     */
    public void stats(dev.modelrouter.v1.StatsRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.StatsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getStatsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListModels returns the registry: every model, its live health, and the
     * registered strategies.
     * </pre>
     */
    public void listModels(dev.modelrouter.v1.ListModelsRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.ListModelsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Feedback scores the answer of one decision (by its `decision_id`): the
     * `learned` strategy learns each model's quality per tenant and task from
     * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
     * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
     * </pre>
     */
    public void feedback(dev.modelrouter.v1.FeedbackRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.FeedbackResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFeedbackMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * RouterService picks, calls and measures language models.
   * </pre>
   */
  public static final class RouterServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<RouterServiceBlockingStub> {
    private RouterServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RouterServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RouterServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Select picks a model and deployment for a request and calls nothing.
     * </pre>
     */
    public dev.modelrouter.v1.SelectResponse select(dev.modelrouter.v1.SelectRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSelectMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Invoke selects a model, calls its provider (through the response cache,
     * retries and fallback) and returns the completion.
     * </pre>
     */
    public dev.modelrouter.v1.InvokeResponse invoke(dev.modelrouter.v1.InvokeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getInvokeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * InvokeStream does what Invoke does and streams the text as it arrives:
     * zero or more `delta` messages, which joined are the whole text, then
     * exactly one `done` summary (whose `text` is empty).
     * </pre>
     */
    public java.util.Iterator<dev.modelrouter.v1.InvokeStreamResponse> invokeStream(
        dev.modelrouter.v1.InvokeStreamRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getInvokeStreamMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Stats reports usage figures per model and deployment, cache figures and
     * advice drawn from them.
     * </pre>
     */
    public dev.modelrouter.v1.StatsResponse stats(dev.modelrouter.v1.StatsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getStatsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListModels returns the registry: every model, its live health, and the
     * registered strategies.
     * </pre>
     */
    public dev.modelrouter.v1.ListModelsResponse listModels(dev.modelrouter.v1.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListModelsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Feedback scores the answer of one decision (by its `decision_id`): the
     * `learned` strategy learns each model's quality per tenant and task from
     * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
     * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
     * </pre>
     */
    public dev.modelrouter.v1.FeedbackResponse feedback(dev.modelrouter.v1.FeedbackRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFeedbackMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * RouterService picks, calls and measures language models.
   * </pre>
   */
  public static final class RouterServiceFutureStub extends io.grpc.stub.AbstractFutureStub<RouterServiceFutureStub> {
    private RouterServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected RouterServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new RouterServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Select picks a model and deployment for a request and calls nothing.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.SelectResponse> select(
        dev.modelrouter.v1.SelectRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSelectMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Invoke selects a model, calls its provider (through the response cache,
     * retries and fallback) and returns the completion.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.InvokeResponse> invoke(
        dev.modelrouter.v1.InvokeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getInvokeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Stats reports usage figures per model and deployment, cache figures and
     * advice drawn from them.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.StatsResponse> stats(
        dev.modelrouter.v1.StatsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getStatsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListModels returns the registry: every model, its live health, and the
     * registered strategies.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.ListModelsResponse> listModels(
        dev.modelrouter.v1.ListModelsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListModelsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Feedback scores the answer of one decision (by its `decision_id`): the
     * `learned` strategy learns each model's quality per tenant and task from
     * these scores. An unknown or expired id is NOT_FOUND UNKNOWN_DECISION; a
     * second score for the same decision is ALREADY_EXISTS FEEDBACK_EXISTS.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.FeedbackResponse> feedback(
        dev.modelrouter.v1.FeedbackRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFeedbackMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_SELECT = 0;
  private static final int METHODID_INVOKE = 1;
  private static final int METHODID_INVOKE_STREAM = 2;
  private static final int METHODID_STATS = 3;
  private static final int METHODID_LIST_MODELS = 4;
  private static final int METHODID_FEEDBACK = 5;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final RouterServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(RouterServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_SELECT:
          serviceImpl.select((dev.modelrouter.v1.SelectRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.SelectResponse>) responseObserver);
          break;
        case METHODID_INVOKE:
          serviceImpl.invoke((dev.modelrouter.v1.InvokeRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.InvokeResponse>) responseObserver);
          break;
        case METHODID_INVOKE_STREAM:
          serviceImpl.invokeStream((dev.modelrouter.v1.InvokeStreamRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.InvokeStreamResponse>) responseObserver);
          break;
        case METHODID_STATS:
          serviceImpl.stats((dev.modelrouter.v1.StatsRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.StatsResponse>) responseObserver);
          break;
        case METHODID_LIST_MODELS:
          serviceImpl.listModels((dev.modelrouter.v1.ListModelsRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.ListModelsResponse>) responseObserver);
          break;
        case METHODID_FEEDBACK:
          serviceImpl.feedback((dev.modelrouter.v1.FeedbackRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.FeedbackResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class RouterServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    RouterServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.modelrouter.v1.RouterProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("RouterService");
    }
  }

  private static final class RouterServiceFileDescriptorSupplier
      extends RouterServiceBaseDescriptorSupplier {
    RouterServiceFileDescriptorSupplier() {}
  }

  private static final class RouterServiceMethodDescriptorSupplier
      extends RouterServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    RouterServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (RouterServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new RouterServiceFileDescriptorSupplier())
              .addMethod(getSelectMethod())
              .addMethod(getInvokeMethod())
              .addMethod(getInvokeStreamMethod())
              .addMethod(getStatsMethod())
              .addMethod(getListModelsMethod())
              .addMethod(getFeedbackMethod())
              .build();
        }
      }
    }
    return result;
  }
}
