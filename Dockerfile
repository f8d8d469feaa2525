# Hubble in a container: Node 20 slim + git + git-lfs + openssh (for `git` over SSH keys' tools).
# Build:  docker build -t hubble .
# Run:    docker run -p 8080:8080 -v hubble-data:/data hubble
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY islands ./islands
COPY scripts ./scripts
COPY test ./test
COPY bench ./bench
RUN npm run build --silent && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git git-lfs openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown node:node /data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/static ./dist/static
USER node
ENV HUBBLE_DATA=/data HUBBLE_HOST=0.0.0.0 HUBBLE_PORT=8080
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/cli.js", "serve"]
