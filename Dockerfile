# modelrouter: a slim, non-root image serving the gRPC API on port 50051.
# Build: docker build -t modelrouter .   Run: docker run -p 50051:50051 modelrouter
# Usage totals and budget spend (the SQLite usage store) live in the volume
# /var/lib/modelrouter; Prometheus metrics, when `metrics.address` is set to
# "0.0.0.0:9464", on port 9464. tests/server/test_image_env.py runs the server
# the way this image does (its ENV, as a user without a home) and reads this file.
FROM python:3.11-slim AS build
WORKDIR /src
COPY clients/python clients/python
COPY server server
COPY pyproject.toml README.md ./
RUN python -m venv /opt/modelrouter \
 && /opt/modelrouter/bin/pip install --no-cache-dir ./clients/python . \
 && find /opt/modelrouter -name '__pycache__' -prune -exec rm -rf {} +

FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home modelrouter \
 && mkdir -p /var/lib/modelrouter \
 && chown modelrouter:modelrouter /var/lib/modelrouter
COPY --from=build /opt/modelrouter /opt/modelrouter
# The user has no home: XDG_STATE_HOME puts the usage store in a directory it owns
# (/var/lib/modelrouter/modelrouter/usage.sqlite).
ENV PATH=/opt/modelrouter/bin:$PATH PYTHONUNBUFFERED=1 XDG_STATE_HOME=/var/lib/modelrouter
VOLUME ["/var/lib/modelrouter"]
USER modelrouter
EXPOSE 50051 9464
# The gRPC health service answers SERVING once the server accepts calls.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["modelrouter", "health", "--address", "127.0.0.1:50051"]
# Mount a configuration and add `--config /etc/modelrouter/config.yaml` to use your own.
ENTRYPOINT ["modelrouter"]
CMD ["serve", "--address", "0.0.0.0:50051"]
