# syntax=docker/dockerfile:1
# Build: a static binary (no cgo: modernc.org/sqlite is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/portal ./cmd/portal \
 && mkdir -p /out/data

# Run: CA certificates for the real Efí APIs, a non-root user, /data volume.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/portal /usr/local/bin/
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV PORTAL_ADDR=0.0.0.0:8080 \
    PORTAL_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/portal"]
