# nats-ts: one image for every role; the command picks the role (the all-in-one server by default).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
EXPOSE 4222 8222 8080
ENTRYPOINT ["node", "bin/nats-ts-server"]
CMD ["-m", "8222"]
