package dev.modelrouter.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AdminService changes and shows a running server's configuration.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: modelrouter/v1/admin.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class AdminServiceGrpc {

  private AdminServiceGrpc() {}

  public static final String SERVICE_NAME = "modelrouter.v1.AdminService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.ReloadConfigRequest,
      dev.modelrouter.v1.ReloadConfigResponse> getReloadConfigMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ReloadConfig",
      requestType = dev.modelrouter.v1.ReloadConfigRequest.class,
      responseType = dev.modelrouter.v1.ReloadConfigResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.ReloadConfigRequest,
      dev.modelrouter.v1.ReloadConfigResponse> getReloadConfigMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.ReloadConfigRequest, dev.modelrouter.v1.ReloadConfigResponse> getReloadConfigMethod;
    if ((getReloadConfigMethod = AdminServiceGrpc.getReloadConfigMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getReloadConfigMethod = AdminServiceGrpc.getReloadConfigMethod) == null) {
          AdminServiceGrpc.getReloadConfigMethod = getReloadConfigMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.ReloadConfigRequest, dev.modelrouter.v1.ReloadConfigResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ReloadConfig"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.ReloadConfigRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.ReloadConfigResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ReloadConfig"))
              .build();
        }
      }
    }
    return getReloadConfigMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.SetDeploymentStateRequest,
      dev.modelrouter.v1.SetDeploymentStateResponse> getSetDeploymentStateMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SetDeploymentState",
      requestType = dev.modelrouter.v1.SetDeploymentStateRequest.class,
      responseType = dev.modelrouter.v1.SetDeploymentStateResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.SetDeploymentStateRequest,
      dev.modelrouter.v1.SetDeploymentStateResponse> getSetDeploymentStateMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.SetDeploymentStateRequest, dev.modelrouter.v1.SetDeploymentStateResponse> getSetDeploymentStateMethod;
    if ((getSetDeploymentStateMethod = AdminServiceGrpc.getSetDeploymentStateMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getSetDeploymentStateMethod = AdminServiceGrpc.getSetDeploymentStateMethod) == null) {
          AdminServiceGrpc.getSetDeploymentStateMethod = getSetDeploymentStateMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.SetDeploymentStateRequest, dev.modelrouter.v1.SetDeploymentStateResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SetDeploymentState"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.SetDeploymentStateRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.SetDeploymentStateResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("SetDeploymentState"))
              .build();
        }
      }
    }
    return getSetDeploymentStateMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.modelrouter.v1.GetConfigRequest,
      dev.modelrouter.v1.GetConfigResponse> getGetConfigMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetConfig",
      requestType = dev.modelrouter.v1.GetConfigRequest.class,
      responseType = dev.modelrouter.v1.GetConfigResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.modelrouter.v1.GetConfigRequest,
      dev.modelrouter.v1.GetConfigResponse> getGetConfigMethod() {
    io.grpc.MethodDescriptor<dev.modelrouter.v1.GetConfigRequest, dev.modelrouter.v1.GetConfigResponse> getGetConfigMethod;
    if ((getGetConfigMethod = AdminServiceGrpc.getGetConfigMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getGetConfigMethod = AdminServiceGrpc.getGetConfigMethod) == null) {
          AdminServiceGrpc.getGetConfigMethod = getGetConfigMethod =
              io.grpc.MethodDescriptor.<dev.modelrouter.v1.GetConfigRequest, dev.modelrouter.v1.GetConfigResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetConfig"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.GetConfigRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.modelrouter.v1.GetConfigResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("GetConfig"))
              .build();
        }
      }
    }
    return getGetConfigMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AdminServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub>() {
        @java.lang.Override
        public AdminServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceStub(channel, callOptions);
        }
      };
    return AdminServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AdminServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub>() {
        @java.lang.Override
        public AdminServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingStub(channel, callOptions);
        }
      };
    return AdminServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AdminServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub>() {
        @java.lang.Override
        public AdminServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceFutureStub(channel, callOptions);
        }
      };
    return AdminServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AdminService changes and shows a running server's configuration.
   * </pre>
   */
  public static abstract class AdminServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * ReloadConfig re-reads the configuration file the server started with,
     * validates it whole and swaps it in at once: calls in flight finish on the
     * configuration they started with; unchanged models keep their figures,
     * circuits, balancers, budgets and connections; selection caches are
     * cleared. An invalid file changes nothing: FAILED_PRECONDITION
     * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
     * problem. A change only a restart can apply (the listening address, TLS,
     * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
     * fields, and also changes nothing.
     * </pre>
     */
    public void reloadConfig(dev.modelrouter.v1.ReloadConfigRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.ReloadConfigResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getReloadConfigMethod(), responseObserver);
    }

    /**
     * <pre>
     * SetDeploymentState drains a deployment (no new calls; those in flight
     * finish) or makes it active again. An unknown model or deployment is
     * NOT_FOUND.
     * </pre>
     */
    public void setDeploymentState(dev.modelrouter.v1.SetDeploymentStateRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.SetDeploymentStateResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSetDeploymentStateMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetConfig returns the configuration in force, as YAML, with secrets
     * redacted.
     * </pre>
     */
    public void getConfig(dev.modelrouter.v1.GetConfigRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.GetConfigResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetConfigMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getReloadConfigMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.ReloadConfigRequest,
                dev.modelrouter.v1.ReloadConfigResponse>(
                  this, METHODID_RELOAD_CONFIG)))
          .addMethod(
            getSetDeploymentStateMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.SetDeploymentStateRequest,
                dev.modelrouter.v1.SetDeploymentStateResponse>(
                  this, METHODID_SET_DEPLOYMENT_STATE)))
          .addMethod(
            getGetConfigMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                dev.modelrouter.v1.GetConfigRequest,
                dev.modelrouter.v1.GetConfigResponse>(
                  this, METHODID_GET_CONFIG)))
          .build();
    }
  }

  /**
   * <pre>
   * AdminService changes and shows a running server's configuration.
   * </pre>
   */
  public static final class AdminServiceStub extends io.grpc.stub.AbstractAsyncStub<AdminServiceStub> {
    private AdminServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * ReloadConfig re-reads the configuration file the server started with,
     * validates it whole and swaps it in at once: calls in flight finish on the
     * configuration they started with; unchanged models keep their figures,
     * circuits, balancers, budgets and connections; selection caches are
     * cleared. An invalid file changes nothing: FAILED_PRECONDITION
     * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
     * problem. A change only a restart can apply (the listening address, TLS,
     * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
     * fields, and also changes nothing.
     * </pre>
     */
    public void reloadConfig(dev.modelrouter.v1.ReloadConfigRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.ReloadConfigResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getReloadConfigMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SetDeploymentState drains a deployment (no new calls; those in flight
     * finish) or makes it active again. An unknown model or deployment is
     * NOT_FOUND.
     * </pre>
     */
    public void setDeploymentState(dev.modelrouter.v1.SetDeploymentStateRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.SetDeploymentStateResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSetDeploymentStateMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetConfig returns the configuration in force, as YAML, with secrets
     * redacted.
     * </pre>
     */
    public void getConfig(dev.modelrouter.v1.GetConfigRequest request,
        io.grpc.stub.StreamObserver<dev.modelrouter.v1.GetConfigResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetConfigMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * AdminService changes and shows a running server's configuration.
   * </pre>
   */
  public static final class AdminServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingStub> {
    private AdminServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * ReloadConfig re-reads the configuration file the server started with,
     * validates it whole and swaps it in at once: calls in flight finish on the
     * configuration they started with; unchanged models keep their figures,
     * circuits, balancers, budgets and connections; selection caches are
     * cleared. An invalid file changes nothing: FAILED_PRECONDITION
     * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
     * problem. A change only a restart can apply (the listening address, TLS,
     * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
     * fields, and also changes nothing.
     * </pre>
     */
    public dev.modelrouter.v1.ReloadConfigResponse reloadConfig(dev.modelrouter.v1.ReloadConfigRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getReloadConfigMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SetDeploymentState drains a deployment (no new calls; those in flight
     * finish) or makes it active again. An unknown model or deployment is
     * NOT_FOUND.
     * </pre>
     */
    public dev.modelrouter.v1.SetDeploymentStateResponse setDeploymentState(dev.modelrouter.v1.SetDeploymentStateRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSetDeploymentStateMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetConfig returns the configuration in force, as YAML, with secrets
     * redacted.
     * </pre>
     */
    public dev.modelrouter.v1.GetConfigResponse getConfig(dev.modelrouter.v1.GetConfigRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetConfigMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * AdminService changes and shows a running server's configuration.
   * </pre>
   */
  public static final class AdminServiceFutureStub extends io.grpc.stub.AbstractFutureStub<AdminServiceFutureStub> {
    private AdminServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * ReloadConfig re-reads the configuration file the server started with,
     * validates it whole and swaps it in at once: calls in flight finish on the
     * configuration they started with; unchanged models keep their figures,
     * circuits, balancers, budgets and connections; selection caches are
     * cleared. An invalid file changes nothing: FAILED_PRECONDITION
     * INVALID_CONFIG with a google.rpc.BadRequest detail, one violation per
     * problem. A change only a restart can apply (the listening address, TLS,
     * the usage store, ...) is FAILED_PRECONDITION RESTART_REQUIRED, naming the
     * fields, and also changes nothing.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.ReloadConfigResponse> reloadConfig(
        dev.modelrouter.v1.ReloadConfigRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getReloadConfigMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SetDeploymentState drains a deployment (no new calls; those in flight
     * finish) or makes it active again. An unknown model or deployment is
     * NOT_FOUND.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.SetDeploymentStateResponse> setDeploymentState(
        dev.modelrouter.v1.SetDeploymentStateRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSetDeploymentStateMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetConfig returns the configuration in force, as YAML, with secrets
     * redacted.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.modelrouter.v1.GetConfigResponse> getConfig(
        dev.modelrouter.v1.GetConfigRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetConfigMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_RELOAD_CONFIG = 0;
  private static final int METHODID_SET_DEPLOYMENT_STATE = 1;
  private static final int METHODID_GET_CONFIG = 2;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AdminServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(AdminServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_RELOAD_CONFIG:
          serviceImpl.reloadConfig((dev.modelrouter.v1.ReloadConfigRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.ReloadConfigResponse>) responseObserver);
          break;
        case METHODID_SET_DEPLOYMENT_STATE:
          serviceImpl.setDeploymentState((dev.modelrouter.v1.SetDeploymentStateRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.SetDeploymentStateResponse>) responseObserver);
          break;
        case METHODID_GET_CONFIG:
          serviceImpl.getConfig((dev.modelrouter.v1.GetConfigRequest) request,
              (io.grpc.stub.StreamObserver<dev.modelrouter.v1.GetConfigResponse>) responseObserver);
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

  private static abstract class AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AdminServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.modelrouter.v1.AdminProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AdminService");
    }
  }

  private static final class AdminServiceFileDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier {
    AdminServiceFileDescriptorSupplier() {}
  }

  private static final class AdminServiceMethodDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    AdminServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (AdminServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AdminServiceFileDescriptorSupplier())
              .addMethod(getReloadConfigMethod())
              .addMethod(getSetDeploymentStateMethod())
              .addMethod(getGetConfigMethod())
              .build();
        }
      }
    }
    return result;
  }
}
