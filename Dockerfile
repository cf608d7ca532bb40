# syntax=docker/dockerfile:1
# ozmon: one static binary, every role chosen by its subcommand
# (scheduler, worker, asynqmon, migrate, admin, …).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so a source change does not refetch modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -o /out/ozmon ./cmd/ozmon

# distroless/static carries CA certificates and tzdata, no shell, and runs as
# uid 65532 ("nonroot"); USER is numeric so that Kubernetes runAsNonRoot
# can verify it.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ozmon /ozmon
USER 65532:65532
# 3000: /metrics, /healthz, /readyz; 8080: asynqmon (ozmon asynqmon).
EXPOSE 3000 8080
ENTRYPOINT ["/ozmon"]
CMD ["--help"]
